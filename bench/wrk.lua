-- wrk script: `-- post` (rather than `-- get`) turns the requests into the seed's POST /messages; done()
-- prints one JSON line with throughput, latency percentiles and errors for bench/load.py to read.
function init(args)
  if args[1] == "post" then
    wrk.method = "POST"
    wrk.body = '{"sender":"bench","content":"Hello from the benchmark!"}'
    wrk.headers["Content-Type"] = "application/json"
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99)))
end
