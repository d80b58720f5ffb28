"""The peers of `cargo xtask bench --peers`: pydomo and domolibrary moving
the same file as domoctl, the way their users write it. The bench times
each run of this script and reads its peak memory from /proc.

    peers.py pydomo-upload   HOST CLIENT SECRET DATASET FILE
    peers.py pydomo-export   HOST CLIENT SECRET DATASET
    peers.py pydomo-query    HOST CLIENT SECRET DATASET SQL
    peers.py domolibrary-upload URL TOKEN DATASET FILE

pydomo reads the CSV into a pandas DataFrame and `ds_update`s it (a
stream execution, its parts sent one after another), exports with
`ds_get` (a DataFrame) and queries with `ds_query`. domolibrary's `DomoDataset.upload_data` sends a
DataFrame through the product API's upload (start, one part, commit);
its requests reach the emulator through httpx's transports, the library
unchanged (as in xtask/domolibrary/test_domolibrary.py).
"""

import asyncio
import sys

import pandas as pd


def pydomo(host, client, secret):
    from pydomo import Domo

    return Domo(client, secret, api_host=host, use_https=False)


def main(argv):
    mode = argv[0]
    if mode == "pydomo-upload":
        host, client, secret, dataset, path = argv[1:]
        df = pd.read_csv(path, header=None)
        pydomo(host, client, secret).ds_update(dataset, df)
        print(len(df))
    elif mode == "pydomo-export":
        host, client, secret, dataset = argv[1:]
        print(len(pydomo(host, client, secret).ds_get(dataset)))
    elif mode == "pydomo-query":
        host, client, secret, dataset, sql = argv[1:]
        print(len(pydomo(host, client, secret).ds_query(dataset, sql)))
    elif mode == "domolibrary-upload":
        url, token, dataset, path = argv[1:]
        print(asyncio.run(domolibrary_upload(url, token, dataset, path)))
    else:
        sys.exit(f"unknown mode {mode!r}")


async def domolibrary_upload(url, token, dataset, path):
    import httpx

    loopback = httpx.URL(url)

    def to_loopback(request):
        if not request.url.host.endswith(".domo.com"):
            raise RuntimeError(f"a request not meant for Domo: {request.url}")
        request.url = request.url.copy_with(
            scheme=loopback.scheme, host=loopback.host, port=loopback.port
        )

    send = httpx.AsyncHTTPTransport.handle_async_request

    async def redirected(self, request):
        to_loopback(request)
        return await send(self, request)

    httpx.AsyncHTTPTransport.handle_async_request = redirected

    import domolibrary.client.DomoAuth as dmda
    import domolibrary.classes.DomoDataset as dmds

    auth = dmda.DomoTokenAuth(domo_access_token=token, domo_instance="emulator")
    df = pd.read_csv(path, header=None)
    ds = await dmds.DomoDataset.get_by_id(dataset_id=dataset, auth=auth)
    await ds.upload_data(upload_df=df, upload_method="REPLACE", is_index=False)
    return len(df)


if __name__ == "__main__":
    main(sys.argv[1:])
