require 'net/http'
require 'json'
uri = URI('https://api.sendkit.ai/v1/reports')
http = Net::HTTP.new(uri.host, uri.port)
http.use_ssl = true
request = Net::HTTP::Post.new(uri)
request['Content-Type'] = 'application/json'
request['X-Api-Key'] = 'YOUR_API_KEY'
request.body = '{
"reportType": "campaign",
"campaignIds": [
"664f0a1b2c3d4e5f6a7b8c01",
"664f0a1b2c3d4e5f6a7b8c02"
],
"periodStart": "2026-01-01",
"periodEnd": "2026-04-17",
"sections": {
"executiveSummary": true,
"campaignPerformance": true,
"mailboxHealth": false
}
}'
response = http.request(request)
puts response.body
