-- wrk script of the PAR Plan benchmark (bench/run.py runs it; run wrk with -t1).
--   BENCH_MODE=get   GET BENCH_PATH with BENCH_COOKIE (a signed-in user's session)
--   BENCH_MODE=post  POST a progress update to each part of BENCH_PARTS ("pk version"
--                    lines) once, in order, with the CSRF token BENCH_CSRF
-- done() prints one line "BENCH_JSON {...}" with the figures run.py reads.

local mode = os.getenv("BENCH_MODE") or "get"
local path = os.getenv("BENCH_PATH") or "/healthz"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local parts = {}
local next_part = 0

if mode == "post" then
  for line in io.lines(os.getenv("BENCH_PARTS")) do
    local pk, version = line:match("^(%d+) (%d+)$")
    if pk then
      parts[#parts + 1] = { pk = pk, version = version }
    end
  end
end

request = function()
  if mode ~= "post" then
    return wrk.format("GET", path, { ["Cookie"] = cookie })
  end
  next_part = next_part + 1
  -- Past the last part a post would be stale (409) and counted as an error.
  local part = parts[((next_part - 1) % #parts) + 1]
  local p = "p" .. part.pk .. "-"
  local body = "csrfmiddlewaretoken=" .. csrf
    .. "&" .. p .. "status=in_progress"
    .. "&" .. p .. "percent=" .. (10 + next_part % 80)
    .. "&" .. p .. "note=bench"
    .. "&" .. p .. "version=" .. part.version
  return wrk.format("POST", "/nhiem-vu/phan-viec/" .. part.pk .. "/cap-nhat/", {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), errors.connect, errors.read,
    errors.write, errors.status, errors.timeout
  ))
end
