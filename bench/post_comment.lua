-- wrk script: post comments through the real form view, each with its own text (the duplicate check refuses
-- a repeat), every third a reply. Reads the CSRF cookie and token, and the parent id, from the environment.
local cookie = os.getenv("BENCH_CSRF_COOKIE")
local token = os.getenv("BENCH_CSRF_TOKEN")
local parent = os.getenv("BENCH_PARENT_ID") or ""
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  n = 0
  statuses = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. cookie
end

function request()
  n = n + 1
  local who = tid .. "-" .. n
  local body = "name=Bench+reader+" .. who .. "&email=bench" .. who .. "%40example.com"
    .. "&comment=Benchmark+comment+" .. who .. "+on+the+missile+shield+talks."
    .. "&csrfmiddlewaretoken=" .. token
  if parent ~= "" and n % 3 == 0 then
    body = body .. "&parent=" .. parent
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, count in pairs(s) do
      total[code] = (total[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(total) do
    table.insert(parts, code .. "=" .. count)
  end
  table.sort(parts)
  io.write("STATUS " .. table.concat(parts, " ") .. "\n")
end
