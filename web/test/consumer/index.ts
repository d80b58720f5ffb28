// A fresh project's view of @domo-rs/datasets, installed from the tarball
// `npm pack` makes of web/pkg (`cargo xtask package`). Results are assigned
// to explicit types, and `@ts-expect-error` lines fail the build if a type
// decays to `any`.
import {
  DomoClient,
  isDomoError,
  type Dataset,
  type DomoError,
  type Partition,
  type QueryResult,
  type UploadReport,
} from "@domo-rs/datasets";

export interface Summary {
  name: string;
  rows: number;
  columns: string[];
  uploadedRows: number;
  partitions: string[];
  rawName: string | undefined;
}

export async function summarize(client: DomoClient, id: string): Promise<Summary> {
  const dataset: Dataset = await client.getDataset(id);
  const result: QueryResult = await client.query(id, "SELECT region, SUM(amount) FROM table GROUP BY region");
  const report: UploadReport = await client.uploadCsv(id, "region,amount\neast,10.5\n", {
    action: "APPEND",
    partSize: 1 << 20,
    onProgress: (p) => console.log(`${p.bytesSent}/${p.totalBytes}`),
  });
  const partitions: Partition[] = await client.listAllPartitions(id);
  // The low-level entry behind every one-request method: its reply is
  // `unknown` until checked.
  const raw: unknown = await client.call("GetDataset", { datasetId: id }, null);
  const rawName =
    typeof raw === "object" && raw !== null && "name" in raw && typeof raw.name === "string" ? raw.name : undefined;

  // @ts-expect-error numRows is a number, not a string
  const notAString: string = result.numRows;
  void notAString;
  // @ts-expect-error uploadCsv takes no such option
  await client.uploadCsv(id, "a,1\n", { parts: 3 });

  return {
    name: dataset.name ?? dataset.id,
    rows: result.numRows,
    columns: result.columns,
    uploadedRows: report.rows,
    partitions: partitions.map((p) => String(p.partitionId)),
    rawName,
  };
}

export function describe(e: unknown): string {
  if (isDomoError(e)) {
    const err: DomoError = e;
    const status: number | undefined = err.status;
    return `${err.kind} ${status ?? "-"} retryable=${err.retryable}`;
  }
  return String(e);
}

// Run by node after tsc: loads the package (node.js, methods.js, the .wasm)
// without a server.
const client = new DomoClient({ baseUrl: "http://127.0.0.1:9", token: "dev-token" });
if (typeof client.getDataset !== "function" || typeof client.listAllPartitions !== "function") {
  throw new Error("the methods from methods.js are not installed");
}
let refused: unknown;
try {
  new DomoClient({ baseUrl: "not a url", token: "dev-token" });
} catch (e) {
  refused = e;
}
if (!isDomoError(refused)) {
  throw new Error(`an invalid base URL should throw a DomoError, got ${String(refused)}`);
}
console.log(`consumer: package loaded; an invalid base URL is refused: ${describe(refused)}`);
