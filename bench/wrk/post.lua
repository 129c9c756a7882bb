-- POSTs a SIZE-byte body (default 4096) to the URL's path with a Content-Length; the server echoes it.
-- Usage: wrk ... -s bench/wrk/post.lua http://127.0.0.1:PORT/echo -- 4096
init = function(args)
   local size = tonumber(args[1]) or 4096
   local pattern = "0123456789abcdef"
   local body = string.rep(pattern, math.floor(size / #pattern)) .. string.sub(pattern, 1, size % #pattern)
   request_bytes = wrk.format("POST", wrk.path, { ["Content-Type"] = "application/octet-stream" }, body)
end

request = function()
   return request_bytes
end
