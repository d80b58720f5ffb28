//! TypeScript declarations of the model, generated from the definitions in
//! this crate (serde's renames, optional and flattened fields included) for
//! the browser package. `crates/domo-wasm/src/model.d.ts` holds the output;
//! the integration tests fail when it is not current (`UPDATE_TS=1`
//! rewrites it).

use ts_rs::{Config, TS};

use crate::app::{
    AppUser, AppUserDetail, BulkResult, Document, DocumentRequest, Environment, PartialUpdate,
};
use crate::data::DataPage;
use crate::datasets::{
    CreatedDataSource, CreatedDataset, Dataset, DatasetList, ListMeta, Owner, SearchHit,
    SearchResult,
};
use crate::id::{DatasetId, Id};
use crate::indexes::IndexJob;
use crate::partitions::Partition;
use crate::pdp::{PdpSettings, PdpState, Policy, PolicyOperator, PolicyParameter};
use crate::permissions::{AccessLevel, Permission, PermissionList, PrincipalRef, PrincipalType};
use crate::query::{ColumnMetadata, QueryResult};
use crate::schema::{Column, ColumnType, IndexedSchema, LatestSchema, Schema};
use crate::streams::{
    DataProvider, Execution, SchemaDefinition, Stream, StreamDataSource, StreamRequest, Transport,
};
use crate::tokens::{AccessToken, AccessTokenRequest};
use crate::uploads::{
    CommitRequest, CommitResult, UploadAction, UploadSession, UploadStartRequest,
};
use crate::users::User;
use crate::versions::DataVersion;

/// Every model type the browser package exposes, as one `.d.ts` text.
pub fn declarations() -> String {
    // Domo's integers (row counts, epoch milliseconds, ids) are JS numbers.
    let cfg = Config::default().with_large_int("number");
    let mut out = String::from(
        "// Generated from crates/domo-model by `UPDATE_TS=1 cargo test -p \
         domo-integration-tests --test typescript`; do not edit.\n\n",
    );
    macro_rules! emit {
        ($($t:ty),* $(,)?) => {$(
            if let Some(docs) = <$t>::docs() {
                out.push_str(&docs);
            }
            out.push_str("export ");
            out.push_str(&<$t>::decl(&cfg));
            out.push_str("\n\n");
        )*};
    }
    emit!(
        Id,
        DatasetId,
        ColumnType,
        Owner,
        Dataset,
        ListMeta,
        DatasetList,
        SearchHit,
        SearchResult,
        CreatedDataSource,
        CreatedDataset,
        User,
        Column,
        Schema,
        LatestSchema,
        IndexedSchema,
        DataPage,
        ColumnMetadata,
        QueryResult,
        AccessLevel,
        PrincipalType,
        Permission,
        PermissionList,
        PrincipalRef,
        DataVersion,
        Partition,
        IndexJob,
        Transport,
        DataProvider,
        StreamDataSource,
        SchemaDefinition,
        StreamRequest,
        Execution,
        Stream,
        UploadAction,
        UploadStartRequest,
        UploadSession,
        CommitRequest,
        CommitResult,
        PolicyOperator,
        PolicyParameter,
        Policy,
        PdpSettings,
        PdpState,
        AccessToken,
        AccessTokenRequest,
        Document,
        DocumentRequest,
        PartialUpdate,
        BulkResult,
        Environment,
        AppUserDetail,
        AppUser,
    );
    out
}
