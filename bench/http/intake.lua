-- wrk script: POST one new case per request to /api/v1/cases as the API client whose token is in NINGJU_TOKEN,
-- about the building in NINGJU_BUILDING. Counts the answers by status, so that a run with any non-201 is visible.
local token = os.getenv("NINGJU_TOKEN")
local building = os.getenv("NINGJU_BUILDING")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"type":"report","category":"sanitation","title":"楼道堆物","description":"三楼楼道堆放杂物，影响通行。",' ..
           '"area_id":' .. building .. ',"public":false}'

counts = {}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  counts = {}
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "=" .. n) end
  table.sort(parts)
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
end
