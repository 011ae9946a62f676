import httpx, aiohttp
BASE = 'http://localhost:8000/api'
async def go(s):
    await s.post(f"{BASE}/items?x=1&y=2", json={'name': 1, "n": [1]})
    httpx.get('http://localhost:8000/api/health', params={'q': 1})
    requests.put(BASE + '/items/' + str(3), data='''x''')
