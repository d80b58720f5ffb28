"""domolibrary, unmodified, against the emulator's product API.

domolibrary builds every URL as https://{instance}.domo.com/api/...
(some as http://), so the only change made here is below the library:
httpx's transports send each request to the emulator on loopback instead,
keeping its method, path, query, headers and body. Nothing leaves the
machine. `cargo xtask domolibrary` starts the emulator and runs this.
"""

import asyncio
import os
import sys

import httpx

EMULATOR = os.environ["DOMO_EMULATOR_URL"]  # http://127.0.0.1:PORT
TOKEN = os.environ["DOMO_EMULATOR_TOKEN"]
DATASET = os.environ["DOMO_EMULATOR_DATASET"]
loopback = httpx.URL(EMULATOR)


def to_loopback(request: httpx.Request) -> None:
    if not request.url.host.endswith(".domo.com"):
        raise RuntimeError(f"a request not meant for Domo: {request.url}")
    request.url = request.url.copy_with(
        scheme=loopback.scheme, host=loopback.host, port=loopback.port
    )


_async_send = httpx.AsyncHTTPTransport.handle_async_request
_sync_send = httpx.HTTPTransport.handle_request


async def _async(self, request):
    to_loopback(request)
    return await _async_send(self, request)


def _sync(self, request):
    to_loopback(request)
    return _sync_send(self, request)


httpx.AsyncHTTPTransport.handle_async_request = _async
httpx.HTTPTransport.handle_request = _sync

import domolibrary.client.DomoAuth as dmda  # noqa: E402
import domolibrary.routes.pdp as pdp  # noqa: E402

failures = []


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(what)


async def main():
    auth = dmda.DomoTokenAuth(domo_access_token=TOKEN, domo_instance="emulator")

    # The listing domolibrary sends: .../filter-groups/?options=... (a
    # trailing slash, plain http), the open "All Rows" policy included.
    res = await pdp.get_pdp_policies(auth=auth, dataset_id=DATASET)
    policies = res.response
    check("get_pdp_policies answers 200 with a list", res.is_success and isinstance(policies, list), res.response)
    names = [p.get("name") for p in policies] if isinstance(policies, list) else []
    check("the open policy is listed", "All Rows" in names, names)

    # A policy made through domolibrary's own body builder, then found by
    # name and deleted, as its users script it.
    param = pdp.generate_policy_parameter_simple(column_name="Region", column_values_ls=["East"])
    body = pdp.generate_policy_body(
        policy_name="domolibrary east",
        dataset_id=DATASET,
        parameters_ls=[param],
        user_ids=["1"],
    )
    created = await pdp.create_policy(auth=auth, dataset_id=DATASET, body=body)
    check("create_policy answers 200", created.is_success, created.response)
    policy_id = created.response.get("filterGroupId") if isinstance(created.response, dict) else None
    check("the created policy has an id", policy_id is not None, created.response)

    listed = await pdp.get_pdp_policies(auth=auth, dataset_id=DATASET)
    hit = pdp.search_pdp_policies_by_name(
        search_name="domolibrary east", result_list=listed.response, is_exact_match=True
    )
    check("search_pdp_policies_by_name finds it in the listing", hit.get("filterGroupId") == policy_id, hit)
    check(
        "its parameter is as domolibrary sent it",
        [(p.get("name"), p.get("values")) for p in hit.get("parameters", [])] == [("Region", ["East"])],
        hit,
    )

    gone = await pdp.delete_policy(auth=auth, dataset_id=DATASET, policy_id=policy_id)
    check("delete_policy answers 200", gone.is_success, gone.response)
    after = await pdp.get_pdp_policies(auth=auth, dataset_id=DATASET)
    check(
        "the deleted policy is no longer listed",
        all(p.get("filterGroupId") != policy_id for p in after.response),
        after.response,
    )


asyncio.run(main())
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
