-- wrk script: POST a new account with a unique name each time (duplicate detection must not refuse it).
local counter = 0
local token = os.getenv("BENCH_TOKEN") or ""
math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
local prefix = tostring(math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local body = string.format('{"name": "Bench %s %d", "tier": "standard"}', prefix, counter)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  return wrk.format("POST", "/api/v1/accounts", headers, body)
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, non2xx))
end
