-- wrk script: `-- post` (rather than `-- get`) turns the requests into the seed's POST /messages; done()
-- prints one JSON line with throughput, latency percentiles and errors for bench/load.py to read.
--
-- Posts come from many clients, as through the ALB: each names one of CLIENTS addresses as the last
-- X-Forwarded-For entry, so the product's per-client post limit runs at its production rate without
-- any client reaching it (a few posts a minute each at the benchmark's peak).
local CLIENTS = 10000
local post = false

-- Each thread gets its own number, so the threads pick different clients (and paced.lua, its own moments).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  if args[1] == "post" then
    post = true
    wrk.method = "POST"
    wrk.body = '{"sender":"bench","content":"Hello from the benchmark!"}'
    wrk.headers["Content-Type"] = "application/json"
  end
end

local fixed = nil
function request()
  if not post then
    fixed = fixed or wrk.format()
    return fixed
  end
  local client = math.random(CLIENTS) - 1
  wrk.headers["X-Forwarded-For"] = string.format("10.0.%d.%d", math.floor(client / 256), client % 256)
  return wrk.format()
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99)))
end
