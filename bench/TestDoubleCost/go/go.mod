module tinyhttp.bench/testdoublecost

go 1.19
