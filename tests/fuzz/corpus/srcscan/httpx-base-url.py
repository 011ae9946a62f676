import httpx
API = "http://localhost:8000/api/v1"
c = httpx.Client(base_url=API)
c.post("/sync/start", json=dict(max_emails=1))
c.get(f"/items/{i}", params={"q": 1})
