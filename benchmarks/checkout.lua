-- wrk script: every request is one customer's checkout (POST /api/v1/orders).
--
--   wrk -t2 -c64 -d10s -s benchmarks/checkout.lua URL -- CUSTOMERS_FILE THREADS
--
-- CUSTOMERS_FILE has one "ACCESS_TOKEN ADDRESS_ID IDEMPOTENCY_KEY" line per customer, each with
-- a filled cart; thread n of THREADS takes every THREADS-th line from line n. A thread that
-- has sent all its customers waits for their answers and stops, so a run over a fixed list of
-- buyers (the hot product) ends when the last one is answered. At the end one line
-- "KIRANA {json}" reports the HTTP statuses, the problem codes of the refusals, the duration
-- and the latency percentiles (ms) of the checkouts.

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  local every = tonumber(args[2])
  queue, sent, booked, answered = {}, 0, 0, 0
  -- wrk builds one request of thread 0 to check the script, and never sends it.
  checking = id == 0
  statuses, codes = {}, {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % every == id then
      table.insert(queue, line)
    end
    n = n + 1
  end
end

function delay()
  -- wrk asks for a delay before it builds each request. A connection gets a customer here
  -- (booked, so two connections never count on the last one) or waits past the end of the run.
  if sent + booked >= #queue then
    return 3600000
  end
  booked = booked + 1
  return 0
end

local function checkout(entry)
  local token, address, key = entry:match("(%S+) (%S+) (%S+)")
  return wrk.format("POST", "/api/v1/orders", {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
    ["Content-Type"] = "application/json",
  }, '{"address_id":"' .. address .. '","payment_method":"card"}')
end

function request()
  if checking then
    checking = false
    return checkout(queue[1] or "- - -")
  end
  if booked > 0 then
    booked = booked - 1 -- (a connection's first request comes without asking delay())
  end
  if sent >= #queue then
    -- Only when a thread has fewer customers than connections: a harmless filler, not counted.
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return checkout(queue[sent])
end

function response(status, headers, body)
  if status == 200 then
    return -- a filler (a checkout answers 201 or a problem)
  end
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 then
    local code = body:match('"code"%s*:%s*"([^"]+)"') or "unreadable"
    codes[code] = (codes[code] or 0) + 1
  end
  if answered >= #queue then
    wrk.thread:stop()
  end
end

local function merge(into, from)
  for k, v in pairs(from) do
    into[k] = (into[k] or 0) + v
  end
end

local function json_object(t)
  local parts = {}
  for k, v in pairs(t) do
    table.insert(parts, string.format('"%s": %d', tostring(k), v))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local all_statuses, all_codes = {}, {}
  for _, thread in ipairs(threads) do
    merge(all_statuses, thread:get("statuses"))
    merge(all_codes, thread:get("codes"))
  end
  io.write(string.format(
    'KIRANA {"statuses": %s, "codes": %s, "duration_s": %.4f, "requests": %d, '
      .. '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    json_object(all_statuses), json_object(all_codes), summary.duration / 1e6,
    summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000
  ))
end
