-- Sends DEPTH requests (default 16) for the URL's path in one write and waits for all the responses
-- before the next write. wrk counts each response as one request.
-- Usage: wrk ... -s bench/wrk/pipeline.lua http://127.0.0.1:PORT/hello -- 16
init = function(args)
   local depth = tonumber(args[1]) or 16
   local one = wrk.format("GET", wrk.path)
   local batch = {}
   for i = 1, depth do
      batch[i] = one
   end
   pipelined = table.concat(batch)
end

request = function()
   return pipelined
end
