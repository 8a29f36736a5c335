"""Requests sent at the same moment, one thread and one person each."""
import json
import threading
import urllib.error
import urllib.request


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
