// Go's httptest beside TestDoubleCost's .NET test doubles: one cycle is httptest.NewServer with a handler answering
// GET /hello "Hello, World!", one GET with a new http.Client (keep-alives off, so nothing outlives the cycle, as a new
// HttpClient in the .NET cycles), then Close. Prints the same RESULT line as the .NET program.
//
// Usage: go run . [WARM_CYCLES]
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"time"
)

func cycle() error {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	}))
	defer server.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	response, err := client.Get(server.URL + "/hello")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(response.Body)
	response.Body.Close()
	if err != nil {
		return err
	}
	if string(body) != "Hello, World!" {
		return fmt.Errorf("unexpected body %q", body)
	}
	return nil
}

func milliseconds(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func main() {
	cycles := 200
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: go run . [WARM_CYCLES]")
			os.Exit(2)
		}
		cycles = n
	}
	start := time.Now()
	if err := cycle(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cold := milliseconds(time.Since(start))
	fmt.Printf("cold %.3f ms\n", cold)
	warm := make([]float64, 0, cycles)
	for i := 0; i < cycles; i++ {
		start = time.Now()
		if err := cycle(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		warm = append(warm, milliseconds(time.Since(start)))
	}
	sort.Float64s(warm)
	median := warm[len(warm)/2]
	if len(warm)%2 == 0 {
		median = (warm[len(warm)/2-1] + warm[len(warm)/2]) / 2
	}
	p90index := int(float64(len(warm))*0.9+0.999999) - 1
	if p90index < 0 {
		p90index = 0
	}
	fmt.Printf("RESULT cycles=%d cold=%.3f median=%.3f p90=%.3f min=%.3f max=%.3f\n", cycles, cold, median, warm[p90index], warm[0], warm[len(warm)-1])
}
