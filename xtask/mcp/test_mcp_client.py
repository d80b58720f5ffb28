"""`domoctl mcp` over stdio, driven by the official MCP Python SDK.

Run by `cargo xtask mcp` (and so by `cargo xtask ci`), which makes the
venv with the pinned `mcp` package, builds domoctl, starts the emulator on
127.0.0.1 and passes DOMOCTL (the binary), DOMO_EMULATOR_URL and
DOMO_EMULATOR_TOKEN. The client starts `domoctl mcp` itself, as Claude
Desktop does, with the token in the server's environment only.

One session with --allow-writes sets a dataset up through the write
tools; a read-only session then lists, describes and queries it. Every
message the client receives, and everything the server logged on stderr,
is checked to hold no token. The last line is 'N passed, N failed'.
"""

import json
import os
import sys
import tempfile
import traceback

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

DOMOCTL = os.environ["DOMOCTL"]
URL = os.environ["DOMO_EMULATOR_URL"]
TOKEN = os.environ["DOMO_EMULATOR_TOKEN"]

READ_TOOLS = [
    "check_connection",
    "list_datasets",
    "search_datasets",
    "get_dataset",
    "get_schema",
    "query_dataset",
    "preview_rows",
    "profile_columns",
]
WRITE_TOOLS = ["create_dataset", "update_dataset", "upload_rows", "alter_schema"]

# Every message received, as JSON, for the secret check at the end.
RECEIVED: list[str] = []


def dump(value) -> str:
    text = value.model_dump_json(by_alias=True, exclude_none=True)
    RECEIVED.append(text)
    return text


class Server:
    """`domoctl mcp FLAGS` as a stdio subprocess, with its stderr in a file."""

    def __init__(self, *flags: str):
        self.params = StdioServerParameters(
            command=DOMOCTL,
            args=["mcp", *flags],
            env={"DOMO_BASE_URL": URL, "DOMO_TOKEN": TOKEN, "XDG_CONFIG_HOME": "/nonexistent/domoctl-mcp-ci"},
        )
        self.log = tempfile.TemporaryFile(mode="w+")

    async def __aenter__(self) -> ClientSession:
        self._stdio = stdio_client(self.params, errlog=self.log)
        read, write = await self._stdio.__aenter__()
        self._session = ClientSession(read, write)
        session = await self._session.__aenter__()
        init = await session.initialize()
        dump(init)
        assert init.server_info.name == "domoctl", init.server_info
        self.session = session
        return session

    async def __aexit__(self, *exc):
        await self._session.__aexit__(*exc)
        await self._stdio.__aexit__(*exc)
        self.log.seek(0)
        logged = self.log.read()
        assert TOKEN not in logged, "the token reached the server's log"
        assert logged.strip(), "the server logs its start on stderr"
        return False


async def call(session: ClientSession, tool: str, **arguments):
    result = await session.call_tool(tool, arguments)
    dump(result)
    return result


async def ok(session: ClientSession, tool: str, **arguments) -> dict:
    result = await call(session, tool, **arguments)
    text = "".join(c.text for c in result.content if c.type == "text")
    assert not result.is_error, f"{tool}: {text}"
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


async def error(session: ClientSession, tool: str, **arguments) -> str:
    result = await call(session, tool, **arguments)
    text = "".join(c.text for c in result.content if c.type == "text")
    assert result.is_error, f"{tool} succeeded: {text}"
    return text


STATE: dict = {}


async def test_writes_set_a_dataset_up():
    async with Server("--allow-writes") as s:
        tools = await s.list_tools()
        dump(tools)
        names = [t.name for t in tools.tools]
        assert names == READ_TOOLS + WRITE_TOOLS, names
        upload = next(t for t in tools.tools if t.name == "upload_rows")
        assert upload.annotations.destructive_hint is True
        assert upload.annotations.read_only_hint is False
        created = await ok(
            s,
            "create_dataset",
            name="MCP orders",
            columns=[{"name": "region", "type": "STRING"}, {"name": "amount", "type": "LONG"}],
        )
        dataset_id = created["dataset_id"]
        rows = "".join(f"r{i % 5},{i}\n" for i in range(300))
        progress = []

        async def on_progress(done, total, message):
            progress.append(done)

        result = await s.call_tool(
            "upload_rows",
            {"dataset_id": dataset_id, "mode": "replace", "csv": "region,amount\n" + rows},
            progress_callback=on_progress,
        )
        dump(result)
        assert not result.is_error, result
        assert result.structured_content["rows"] == 300
        assert result.structured_content["verified_rows"] == 300
        assert progress, "upload_rows sends progress notifications"
        diff = await ok(s, "alter_schema", dataset_id=dataset_id, add=[{"name": "note", "type": "STRING"}])
        assert diff["applied"] is False and diff["changes"] == ["add `note` (STRING) at the end"], diff
        STATE["id"] = dataset_id


async def test_read_only_session_lists_describes_and_queries():
    dataset_id = STATE["id"]
    async with Server("--max-rows", "50") as s:
        tools = await s.list_tools()
        dump(tools)
        assert [t.name for t in tools.tools] == READ_TOOLS
        for t in tools.tools:
            a = t.annotations
            assert (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint) == (True, False, True, False), t
            assert t.output_schema is not None, t.name

        conn = await ok(s, "check_connection")
        assert conn["writes_allowed"] is False and conn["loopback"] is True, conn

        page = await ok(s, "list_datasets", limit=10)
        assert dataset_id in [d["id"] for d in page["datasets"]], page
        found = await ok(s, "search_datasets", query="orders")
        assert dataset_id in [d["id"] for d in found["datasets"]], found
        assert all("orders" in d["name"].lower() for d in found["datasets"]), found

        schema = await ok(s, "get_schema", dataset_id=dataset_id)
        assert [c["name"] for c in schema["columns"]] == ["region", "amount"], schema
        assert schema["sql_table_name"] == "table"

        q = await ok(s, "query_dataset", dataset_id=dataset_id, sql="SELECT region, amount FROM table ORDER BY amount", max_rows=500)
        assert (q["row_count"], q["truncated"], q["truncation_reason"]) == (50, True, "max_rows"), q
        assert q["columns"] == [{"name": "region", "type": "STRING"}, {"name": "amount", "type": "LONG"}]
        agg = await call(s, "query_dataset", dataset_id=dataset_id, sql="SELECT region, SUM(amount) AS total FROM table GROUP BY region ORDER BY region", format="csv")
        assert agg.structured_content["truncated"] is False
        text = agg.content[0].text
        assert text.endswith("region,total\nr0,8850\nr1,8910\nr2,8970\nr3,9030\nr4,9090\n"), text

        e = await error(s, "query_dataset", dataset_id=dataset_id, sql="SELECT nope FROM table")
        assert "HTTP 400" in e and "Next step" in e, e
        e = await error(s, "get_dataset", dataset_id="00000000-0000-4000-8000-000000000000")
        assert "HTTP 404" in e, e

        # A write tool is not there to call.
        try:
            result = await s.call_tool("create_dataset", {"name": "x", "columns": [{"name": "a", "type": "STRING"}]})
            dump(result)
            assert result.is_error, result
            assert "--allow-writes" in result.content[0].text, result
        except Exception as exc:  # a protocol error is the other honest answer
            assert "--allow-writes" in str(exc), exc

        res = await s.read_resource(f"domo://datasets/{dataset_id}/schema")
        dump(res)
        assert json.loads(res.contents[0].text)["columns"][1]["name"] == "amount"
        prompt = await s.get_prompt("explore_dataset", {"dataset_id": dataset_id})
        dump(prompt)
        assert dataset_id in prompt.messages[0].content.text


async def test_no_message_holds_the_token():
    assert RECEIVED, "messages were received"
    for text in RECEIVED:
        assert TOKEN not in text, "a message held the token"


async def main() -> int:
    tests = [
        test_writes_set_a_dataset_up,
        test_read_only_session_lists_describes_and_queries,
        test_no_message_holds_the_token,
    ]
    passed = failed = 0
    for test in tests:
        try:
            await test()
            print(f"ok   {test.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {test.__name__}")
            traceback.print_exc()
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
