"""pydomo 0.3.0.16, unmodified, against domo-emulator's public API.

Run by `cargo xtask pydomo` (and so by `cargo xtask ci`), which makes the
venv, starts the emulator on 127.0.0.1 with the clients below and passes
its address in DOMO_EMULATOR_HOST (`127.0.0.1:PORT`). pydomo builds its
base URL as 'https://' + api_host, or 'http://' + api_host with
use_https=False, so the host is given without a scheme.

Each test uses pydomo's own calls as its users do; any exception pydomo
raises (it raises on every status it does not expect) fails the test.
The last line is 'N passed, N failed'.
"""

import gzip
import io
import os
import sys
import tempfile
import time
import traceback

import pandas as pd
from pandas.testing import assert_frame_equal

from pydomo import Domo

HOST = os.environ["DOMO_EMULATOR_HOST"]
# A product-API token of user 1, for setup the public API has no route for.
PRODUCT_TOKEN = os.environ["DOMO_EMULATOR_TOKEN"]
# Kept in step with xtask/src/pydomo.rs.
ADMIN = ("pydomo-admin", "admin-secret-1")  # user 1, every scope
EAST = ("pydomo-east", "east-secret-7")  # user 7, an Editor
DATA_ONLY = ("pydomo-data", "data-secret-2")  # user 1, scope data only
EAST_USER = 7


def connect(client, **kwargs):
    return Domo(client[0], client[1], api_host=HOST, use_https=False, **kwargs)


def frame():
    return pd.DataFrame(
        {
            "name": ["alpha", "beta", "gamma"],
            "units": [1, 2, 3],
            "price": [1.5, 2.0, 3.25],
            "region": ["East", "West", "East"],
            "day": pd.to_datetime(
                ["2024-01-01 00:00:00", "2024-01-02 12:34:56", "2024-01-03 00:00:00"]
            ),
        }
    )


def same_rows(got, want):
    """The values of `got` (read back with the schema's dtypes) are `want`'s."""
    assert list(got.columns) == list(want.columns), (list(got.columns), list(want.columns))
    for col in want.columns:
        assert got[col].tolist() == want[col].tolist(), (col, got[col].tolist(), want[col].tolist())


def test_token_is_a_jwt_with_exp():
    domo = connect(ADMIN)
    exp = domo.transport.token_expiration
    now = time.time()
    # An opaque token would leave 0 here and cost a token request per call.
    assert now < exp <= now + 3700, (now, exp)


def test_wrong_secret_is_refused():
    try:
        connect((ADMIN[0], "not-the-secret"))
    except Exception as e:  # pydomo raises a bare Exception
        assert "Error retrieving a Domo API Access Token" in str(e), e
        assert "not-the-secret" not in str(e)
    else:
        raise AssertionError("a wrong secret gave a token")


def test_missing_scope_is_refused():
    domo = connect(DATA_ONLY)
    try:
        domo.users_list()
    except Exception as e:
        assert "403" in str(e) and "user" in str(e), e
    else:
        raise AssertionError("a data-only token listed users")
    # Asking for fewer scopes than the client has is fine.
    narrow = connect(ADMIN, scope=["data"])
    assert len(narrow.ds_list(df_output=False)) >= 0


def test_dataset_round_trip():
    domo = connect(ADMIN)
    df = frame()
    ds = domo.ds_create(df, "pydomo round trip", "made by pydomo")
    meta = domo.ds_meta(ds)
    assert meta["rows"] == 3 and meta["columns"] == 5, meta
    assert meta["schema"]["columns"] == [
        {"type": "STRING", "name": "name"},
        {"type": "LONG", "name": "units"},
        {"type": "DOUBLE", "name": "price"},
        {"type": "STRING", "name": "region"},
        {"type": "DATETIME", "name": "day"},
    ], meta["schema"]
    got = domo.ds_get(ds)
    assert str(got["units"].dtype) == "Int64", got.dtypes
    assert str(got["price"].dtype) == "Float64", got.dtypes
    assert str(got["day"].dtype).startswith("datetime64"), got.dtypes
    same_rows(got, df)
    # Rows that differ, then a schema that differs ("Schema Updated").
    df2 = df.assign(units=[10, 20, 30])
    commit = domo.ds_update(ds, df2)
    assert commit["currentState"] == "SUCCESS", commit
    same_rows(domo.ds_get(ds), df2)
    df3 = df2.assign(note=["x", "y", None])
    domo.ds_update(ds, df3)
    got = domo.ds_get(ds)
    assert got["note"].tolist()[:2] == ["x", "y"] and pd.isna(got["note"].tolist()[2]), got
    q = domo.ds_query(ds, "SELECT name, units FROM table WHERE units > 15 ORDER BY units")
    assert_frame_equal(q, pd.DataFrame({"name": ["beta", "gamma"], "units": [20, 30]}))
    raw = domo.ds_query(ds, "SELECT COUNT(*) AS n FROM table", return_data=False)
    assert raw["columns"] == ["n"] and raw["rows"] == [[3]], raw
    as_dicts = domo.ds_get_dict(ds)
    assert as_dicts[0]["name"] == "alpha", as_dicts
    domo.ds_delete(ds, prompt_before_delete=False)
    try:
        domo.ds_meta(ds)
    except Exception as e:
        assert "404" in str(e), e
    else:
        raise AssertionError("a deleted dataset is still there")


def test_dataset_list_pages():
    domo = connect(ADMIN)
    made = [
        domo.datasets.create(
            {"name": f"pydomo list {i}", "schema": {"columns": [{"type": "STRING", "name": "a"}]}}
        )["id"]
        for i in range(3)
    ]
    listed = domo.ds_list()  # pages of 50 until an empty page; nameLike= sent empty
    assert set(made) <= set(listed["id"]), listed
    named = domo.ds_list(df_output=False, name_like="PYDOMO LIST")
    assert sorted(d["id"] for d in named) == sorted(made), named
    # per_page=2 pages through; limit=10 after a short page sends limit=0.
    assert len(list(domo.datasets.list(per_page=2, name_like="pydomo list"))) == 3
    assert len(list(domo.datasets.list(per_page=10, limit=10, name_like="pydomo list"))) == 3
    by_name = [d["name"] for d in domo.datasets.list(sort="name", name_like="pydomo list")]
    assert by_name == sorted(by_name), by_name
    for ds in made:
        domo.datasets.delete(ds)


def test_dataset_import_and_export_files():
    domo = connect(ADMIN)
    ds = domo.datasets.create(
        {"name": "pydomo import", "description": "", "schema": {"columns": [
            {"type": "STRING", "name": "k"}, {"type": "LONG", "name": "v"}]}}
    )["id"]
    domo.datasets.data_import(ds, "a,1\nb,2\n")
    domo.datasets.data_import(ds, "c,3\n", update_method="APPEND")
    assert domo.datasets.data_export(ds, include_csv_header=True) == "k,v\na,1\nb,2\nc,3\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "in.csv")
        with open(path, "w") as f:
            f.write("d,4\ne,5\n")
        domo.datasets.data_import_from_file(ds, path)
        out = domo.datasets.data_export_to_file(ds, os.path.join(tmp, "out"), False)
        assert out.read() == "d,4\ne,5\n"
        out.close()
    updated = domo.datasets.update(ds, {"name": "pydomo import 2", "description": "renamed"})
    assert updated["name"] == "pydomo import 2", updated
    domo.datasets.delete(ds)


def share_with_east(ds):
    """Shares `ds` with user 7 through the product API (the public API has
    no share route): the setup a PDP test needs, not a pydomo call."""
    import requests

    r = requests.post(
        f"http://{HOST}/api/data/v3/datasources/{ds}/share",
        headers={"X-DOMO-Developer-Token": PRODUCT_TOKEN},
        json={"permissions": [{"type": "USER", "id": str(EAST_USER), "accessLevel": "CAN_SHARE"}],
              "sendEmail": False},
        timeout=30,
    )
    assert r.status_code == 200, r.text


def test_pdp_policies_filter_rows():
    domo = connect(ADMIN)
    east = connect(EAST)
    ds = domo.ds_create(frame(), "pydomo pdp")
    try:
        east.ds_get(ds)
    except Exception as e:
        assert "403" in str(e), e
    else:
        raise AssertionError("user 7 read a dataset nobody shared with them")
    share_with_east(ds)
    policy = domo.pdp_create(ds, {
        "name": "East only", "type": "user", "users": [EAST_USER], "groups": [],
        "filters": [{"column": "region", "values": ["East"], "operator": "EQUALS", "not": False}],
    })
    assert policy["name"] == "East only" and policy["users"] == [EAST_USER], policy
    listed = domo.pdp_list(ds)
    assert list(listed["name"]) == ["East only"], listed
    assert domo.datasets.get_pdp(ds, policy["id"])["filters"][0]["values"] == ["East"]
    # Policies hold once PDP is on for the dataset.
    assert len(east.ds_get(ds)) == 3
    assert domo.datasets.update(ds, {"pdpEnabled": True})["pdpEnabled"] is True
    assert east.ds_get(ds)["name"].tolist() == ["alpha", "gamma"]
    assert east.ds_query(ds, "SELECT COUNT(*) AS n FROM table")["n"].tolist() == [2]
    assert len(domo.ds_get(ds)) == 3, "the owner sees every row"
    updated = domo.pdp_update(ds, policy["id"], {
        "name": "Not East", "type": "user", "users": [EAST_USER], "groups": [],
        "filters": [{"column": "region", "values": ["East"], "operator": "EQUALS", "not": True}],
    })
    assert updated["filters"][0]["not"] is True, updated
    assert east.ds_get(ds)["name"].tolist() == ["beta"]
    # A group policy adds its rows for the group's members.
    group = domo.groups_create("pydomo pdp group", users=[EAST_USER])
    domo.pdp_create(ds, {
        "name": "Big units", "type": "user", "users": [], "groups": [group["id"]],
        "filters": [{"column": "units", "values": ["2"], "operator": "GREATER_THAN"}],
    })
    assert len(domo.pdp_list(ds, df_output=False)) == 2
    assert east.ds_get(ds)["name"].tolist() == ["beta", "gamma"]
    domo.pdp_delete(ds, policy["id"])
    assert len(domo.pdp_list(ds, df_output=False)) == 1
    domo.groups_delete(group["id"])
    # PDP on, no policy naming user 7: no rows.
    assert len(east.ds_get_dict(ds)) == 0
    domo.ds_delete(ds, prompt_before_delete=False)


def test_streams_with_gzip_parts():
    domo = connect(ADMIN)
    streams = domo.streams
    stream = streams.create({
        "dataSet": {"name": "pydomo stream", "description": "", "schema": {"columns": [
            {"type": "STRING", "name": "k"}, {"type": "LONG", "name": "v"}]}},
        "updateMethod": "APPEND",
    })
    sid, ds = stream["id"], stream["dataSet"]["id"]
    assert streams.get(sid)["dataSet"]["id"] == ds
    assert [s["id"] for s in streams.search(f"dataSource.id:{ds}")] == [sid]
    assert sid in [s["id"] for s in streams.search("dataSource.owner:1")]
    assert [s["id"] for s in streams.search("dataSource.name:pydomo stream")] == [sid]
    assert sid in [s["id"] for s in streams.list(1000, 0)]
    execution = streams.create_execution(sid)
    eid = execution["id"]
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "p.csv")
        with open(plain, "w") as f:
            f.write("a,1\nb,2\n")
        gz = os.path.join(tmp, "p.csv.gz")
        with gzip.open(gz, "wt") as f:
            f.write("c,3\n")
        # gzip in memory (Content-Encoding: gzip), gzip streamed from a
        # BytesIO, a .gz file decompressed and sent chunked, a plain file.
        part = streams.upload_gzip_part_from_file(sid, eid, 0, plain, False, 0)
        assert part["id"] == eid, part
        streams.upload_gzip_part_from_file(sid, eid, 1, plain, True, 3)
        streams.upload_csv_part_from_file(sid, eid, 2, gz, "gzip")
        streams.upload_csv_part_from_file(sid, eid, 3, plain, None)
    streams.upload_part(sid, eid, 4, "d,4\n")
    done = streams.commit_execution(sid, eid)
    assert done["currentState"] == "SUCCESS", done
    assert streams.get_execution(sid, eid)["currentState"] == "SUCCESS"
    got = domo.ds_get(ds)
    assert got["k"].tolist() == ["a", "b", "a", "b", "c", "a", "b", "d"], got
    # Abort one, abort the current one.
    second = streams.create_execution(sid, "REPLACE")
    aborted = streams.abort_execution(sid, second["id"])
    assert aborted["currentState"] == "ABORTED", aborted
    third = streams.create_execution(sid)
    streams.upload_part(sid, third["id"], 0, "z,26\n")
    streams.abort_current_execution(sid)
    assert streams.get_execution(sid, third["id"])["currentState"] == "ABORTED"
    ids = [e["id"] for e in streams.list_executions(sid, 500, 0)]
    assert ids == [eid, second["id"], third["id"]], ids
    assert len(domo.ds_get(ds)) == 8, "aborted loads land nothing"
    patched = streams.update(sid, {"updateMethod": "REPLACE"})
    assert patched["updateMethod"] == "REPLACE", patched
    streams.delete(sid)
    assert streams.search(f"dataSource.id:{ds}") == []
    assert domo.ds_meta(ds)["rows"] == 8, "deleting a stream keeps its dataset"
    domo.ds_delete(ds, prompt_before_delete=False)


def test_users_and_groups():
    domo = connect(ADMIN)
    user = domo.users_add("Ada Lovelace", "ada.pydomo@example.com", "Participant")
    uid = user["id"]
    assert domo.users_get(uid)["email"] == "ada.pydomo@example.com"
    listed = domo.users_list()
    assert uid in list(listed["id"]), listed
    changed = domo.users_update(uid, {"name": "Ada King", "email": "ada.pydomo@example.com",
                                      "role": "Editor"})
    assert changed["name"] == "Ada King" and changed["role"] == "Editor", changed
    group = domo.groups_create("pydomo analysts", users=[uid])
    gid = group["id"]
    assert domo.groups_get(gid)["name"] == "pydomo analysts"
    assert gid in list(domo.groups_list()["id"])
    domo.groups_add_users(gid, [EAST_USER])
    assert sorted(domo.groups_list_users(gid)) == sorted([uid, EAST_USER])
    domo.groups_remove_users(gid, EAST_USER)
    assert domo.groups_list_users(gid) == [uid]
    renamed = domo.groups.update(gid, {"name": "pydomo data team", "active": True, "default": False})
    assert renamed["name"] == "pydomo data team", renamed
    domo.groups_delete(gid)  # removes every member, then the group
    assert gid not in list(domo.groups_list().get("id", []))
    domo.users_delete(uid)
    assert uid not in list(domo.users_list()["id"])


def main():
    tests = [(name, fn) for name, fn in globals().items() if name.startswith("test_")]
    passed = failed = 0
    for name, fn in tests:
        try:
            fn()
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"pydomo: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
