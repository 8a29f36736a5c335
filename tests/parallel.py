"""Requests sent at the same moment, one thread and one person each."""
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

from tests.factories import PASSWORD


def post_many(url: str, bodies: list[tuple[bytes, str]], tokens: list[str]) -> list[tuple[int, dict]]:
    """Send the bodies at the same moment, one thread and one person each, and return (status, json) of each."""
    results, barrier = [], threading.Barrier(len(bodies))

    def post(body, content_type, token):
        request = urllib.request.Request(url, method="POST", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": content_type})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            results.append((error.code, json.load(error)))

    threads = [threading.Thread(target=post, args=(*body, token)) for body, token in zip(bodies, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def logged_in(live_server: str, email: str) -> urllib.request.OpenerDirector:
    """Log in through the login form and return an opener that keeps the session's cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    with opener.open(f"{live_server}/login", data=data, timeout=30) as response:
        assert response.url.rstrip("/") == live_server
    return opener


def at_once(calls) -> list:
    """Run the calls at the same moment, one thread each; return what each returned."""
    barrier, results = threading.Barrier(len(calls)), []

    def run(call):
        barrier.wait(timeout=30)
        results.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def form_post(opener, url: str, fields: dict, headers: dict | None = None):
    """Return a call that posts the form and gives (status, final URL, body)."""
    def call():
        request = urllib.request.Request(url, data=urllib.parse.urlencode(fields, doseq=True).encode(),
                                         headers=headers or {})
        with opener.open(request, timeout=60) as response:
            return response.status, response.url, response.read().decode()
    return call
