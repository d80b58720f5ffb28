//! What an endpoint is, as data: its method, path, query and body
//! templates, the arguments that fill them, how its reply is read and the
//! browser methods that call it. Each endpoint is declared once
//! ([`crate::declare!`]); the typed endpoint a Rust caller builds and the
//! row the browser package interprets are both read from its [`Spec`], by
//! one request builder ([`crate::request`]) and one reply reader
//! ([`crate::json`]), so the two cannot send different requests.

pub use crate::method::Method;

/// What kind of value an argument holds. The typed endpoints' field types
/// say it at compile time ([`crate::args::ArgType`]); the browser package
/// checks a JavaScript value against it before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Str,
    /// An id that is always text (a dataset's): a string, checked as an id
    /// wherever it goes (path or query).
    TextId,
    /// An id: a string, or a non-negative integer that stays a number in
    /// JSON bodies; checked as an id wherever it goes.
    Id,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Int,
    /// A list of strings (a single string is a list of one); joined with
    /// commas in a query.
    StrList,
    /// Any JSON value, sent as it is.
    Json,
    /// A JSON object (a model type in Rust).
    Object,
    /// A JSON array (a list of model values in Rust).
    Array,
    /// A credential: a string that no error or log shows.
    Secret,
    /// Bytes (a CSV part): a `Uint8Array` or a string in JavaScript.
    Bytes,
    /// One of the names in the list; each stands for the wire text beside
    /// it, or for nothing (the argument is then absent on the wire).
    Choice(&'static [(&'static str, Option<&'static str>)]),
    /// Conditions of a Data API filter: a condition's text (`Units > 5`),
    /// a condition as an object (`{field, op, value}`, written in the
    /// filter grammar by [`crate::app::condition_text`]), or a list of
    /// either; joined with commas in a query.
    Conditions,
}

/// One argument of an endpoint: what fills `{name}` in its path and query
/// templates and `$name` in its body template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The argument's name, as the JavaScript API spells it (`datasetId`).
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it may be left out (an `Option` or a list in Rust).
    pub optional: bool,
    /// What an absent argument stands for, as the argument's text (`true`
    /// for a flag that defaults on). Only the browser package leaves
    /// arguments out of a non-optional field; a Rust struct always has it.
    pub default: Option<&'static str>,
    /// Its TypeScript type, or for a model value the Rust type's name,
    /// which the package's declarations export under the same name.
    #[cfg(feature = "describe")]
    pub ts: &'static str,
    /// What it is, as its declaration documents it.
    #[cfg(feature = "describe")]
    pub doc: &'static str,
}

/// How the reply of a successful request is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyShape {
    /// JSON, brought to the model's form by these steps in order.
    Json(&'static [Fixup]),
    /// Text (CSV): the body as it came, less a UTF-8 byte order mark.
    Text,
    /// Nothing worth reading: the body is ignored.
    Empty,
}

/// One step that brings a JSON reply from a form some server sends to the
/// form the model declares (`versionId` → `dataVersionId`, a bare array →
/// `{"list": [...]}`). Paths name members from the root, `.`-separated;
/// `[]` after a name (or alone, for the root) means "each element of".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixup {
    /// An empty body reads as this JSON text.
    EmptyAs(&'static str),
    /// An empty body reads as the JSON body that was sent (a policy
    /// created by a server that answers with nothing).
    EmptyIsSentBody,
    /// A bare array becomes an object holding it under this name.
    WrapArray(&'static str),
    /// The root object gets `[]` under this name when it has none.
    DefaultArray(&'static str),
    /// At the path, each `(alias, name)` pair renames `alias` to `name`
    /// where `name` is absent.
    Rename(&'static str, &'static [(&'static str, &'static str)]),
    /// At the path, a member holding JSON as text (`"tags": "[\"a\"]"`)
    /// holds the parsed value; blank text reads as `[]`.
    JsonText(&'static str),
    /// At the path, a member is dropped (a secret a listing must not carry).
    Drop(&'static str),
    /// The member at the path must be there.
    Require(&'static str),
    /// The reply must be an array of objects.
    ArrayOfObjects,
    /// An array must be one of objects (rows as objects); an object is a
    /// query reply, brought to the envelope as [`Fixup::QueryEnvelope`]
    /// does (the Data API's array-of-arrays form).
    RowsOrTable,
    /// A query reply in either of its forms becomes the
    /// `{columns, metadata, rows, numRows, numColumns}` envelope.
    QueryEnvelope,
    /// A reply with `success: false` is a refused login
    /// ([`crate::ErrorKind::AuthFailed`], with the server's `reason`).
    LoginRefused,
    /// The reply may hold a credential: a failure to read it keeps neither
    /// its body nor the values a decoder's message would quote.
    Secret,
    /// A 403 whose body is the bare text `Forbidden` means no instance
    /// answers at this address (checked on the error path).
    ForbiddenTextIsNoInstance,
}

/// A rule an endpoint's arguments must meet before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The text argument must not be empty or blank; the message says
    /// what is empty.
    NotBlank(&'static str, &'static str),
    /// The text argument, when given, must not be blank.
    NotBlankIfGiven(&'static str, &'static str),
    /// At least one of the arguments must be given.
    AnyOf(&'static [&'static str], &'static str),
    /// The text argument must be exactly one character.
    OneChar(&'static str),
    /// The JSON argument is a column list: at least one column, each named
    /// once ([`crate::request::check_columns`]; the message starts with the
    /// given text).
    Columns(&'static str, &'static str),
    /// The JSON array argument must hold at least one element.
    NotEmptyList(&'static str, &'static str),
    /// Inside the JSON argument, the string at the path must not be blank.
    TextAt(&'static str, &'static str, &'static str),
    /// The integer argument must be at least this.
    AtLeast(&'static str, u64, &'static str),
    /// The integer argument must be at most this.
    AtMost(&'static str, u64, &'static str),
    /// Arguments given by name (the browser package's options object) must
    /// all be arguments of the endpoint: an unknown one is refused, named,
    /// rather than ignored (a query key spelled wrong would otherwise
    /// change nothing).
    OnlyArguments,
}

/// The request body.
#[derive(Debug, Clone, Copy)]
pub enum BodyShape {
    /// No body.
    None,
    /// JSON written from a template: literal JSON with `$name` holes, each
    /// filled with the argument's JSON; `$?name` drops its whole member
    /// when the argument is absent.
    Json(&'static str),
    /// The JSON argument named, as an object with `member` set to the
    /// argument `from` unless the object sets it already (to the same id).
    JsonWith {
        /// The argument holding the object.
        arg: &'static str,
        /// The member to set.
        member: &'static str,
        /// The argument whose value it takes.
        from: &'static str,
    },
    /// JSON written by a function of the arguments, for bodies a template
    /// cannot say (a search whose filters depend on what is given).
    Build(fn(&dyn BodyValues) -> Result<String, crate::error::Error>),
    /// The text argument named, as a `text/plain` body.
    Text(&'static str),
    /// A form (`application/x-www-form-urlencoded`): `key=template&...`
    /// filled as the query is (a pair whose placeholders are all absent is
    /// left out). The OAuth token request's.
    Form(&'static str),
    /// CSV bytes from the argument; `gzip` names a flag argument that says
    /// they are gzip-compressed (`Content-Encoding: gzip`).
    Csv {
        /// The bytes.
        data: &'static str,
        /// The flag.
        gzip: &'static str,
    },
}

/// One method of the browser package's `DomoClient` that runs this
/// endpoint: its name and its positional parameters; `...` is an options
/// object whose properties are the remaining arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsMethod {
    /// The method name (`getDataset`).
    pub name: &'static str,
    /// Its parameters, by argument name.
    pub params: &'static [&'static str],
    /// The object the method is on: `None` for `DomoClient` itself, or a
    /// handle a client method returns (an AppDB collection), which
    /// supplies one argument.
    pub on: Option<&'static JsHandle>,
}

/// An object of the browser package that a `DomoClient` method returns and
/// whose methods run declared endpoints with one argument fixed
/// (`domo.appDb("orders").create(content)` sends `collection: "orders"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsHandle {
    /// The `DomoClient` method that returns it (`appDb`).
    pub factory: &'static str,
    /// Its class name in the package (`AppCollection`).
    pub class: &'static str,
    /// The argument it supplies, from the factory's one parameter
    /// (`collection`).
    pub arg: &'static str,
    /// What it is, for its declaration.
    pub doc: &'static str,
}

/// Everything about one endpoint, as data.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The endpoint's name (`GetDataset`), the type's in Rust.
    pub name: &'static str,
    /// The method.
    pub method: Method,
    /// The path with `{name}` placeholders, each one argument as one
    /// validated, percent-encoded segment.
    pub path: &'static str,
    /// The query, `key=template&...`; the template is text with `{name}`
    /// placeholders. A pair whose placeholders are all absent is left out.
    pub query: &'static str,
    /// The arguments.
    pub params: &'static [Param],
    /// The body.
    pub body: BodyShape,
    /// The `Accept` header: text, or a template whose `{name}` is an
    /// argument (a [`Kind::Choice`] whose wire texts are media types).
    pub accept: &'static str,
    /// `Accept` values whose replies are text whatever `reply` says (the
    /// Data API's CSV and Excel formats); see [`Spec::reply_to`].
    pub text_accepts: &'static [&'static str],
    /// Whether sending it twice has the effect of sending it once.
    pub idempotent: bool,
    /// How a success reply is read.
    pub reply: ReplyShape,
    /// Rules the arguments must meet.
    pub checks: &'static [Check],
    /// The browser methods over it; empty when the package runs it from
    /// Rust (upload parts) or not at all.
    #[cfg(feature = "describe")]
    pub js: &'static [JsMethod],
    /// Why it has no browser method, when it has none.
    #[cfg(feature = "describe")]
    pub js_note: &'static str,
    /// What a success reply gives: the Rust type's name (`Dataset`,
    /// `Vec<Policy>`), `void` or `string`.
    #[cfg(feature = "describe")]
    pub output: &'static str,
    /// What it is, as its declaration documents it.
    #[cfg(feature = "describe")]
    pub doc: &'static str,
}

/// Which of Domo's two APIs an endpoint is on. Each takes its own
/// credentials: the product API (`https://{instance}.domo.com/api/...`,
/// and a custom app's `/data/v1`, `/sql/v1`) developer and session tokens,
/// the public API (`https://api.domo.com/v1/...`) OAuth client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The product API (and a custom app's APIs).
    Product,
    /// The public API: `/oauth/token` and `/v1/...`.
    Public,
}

impl Api {
    /// How this API is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Api::Product => "Domo's product API (https://INSTANCE.domo.com/api)",
            Api::Public => "Domo's public API (https://api.domo.com/v1)",
        }
    }
}

/// Each product-API endpoint beside the public-API endpoint that does the
/// same, for the error of a client that sends one with the other API's
/// credentials ([`crate::ErrorKind::WrongApi`]).
pub const COUNTERPARTS: &[(&str, &str)] = &[
    ("GetDataset", "V1GetDataset"),
    ("ListDatasets", "V1ListDatasets"),
    ("CreateDataset", "V1CreateStream"),
    ("CreateDatasetWithoutStream", "V1CreateDataset"),
    ("SetProperties", "V1UpdateDataset"),
    ("DeleteDataset", "V1DeleteDataset"),
    ("GetLatestSchema", "V1GetDataset"),
    ("AlterSchema", "V1UpdateDataset"),
    ("ExportCsv", "V1ExportData"),
    ("ExecuteQuery", "V1Query"),
    ("ListPolicies", "V1ListPolicies"),
    ("CreatePolicy", "V1CreatePolicy"),
    ("UpdatePolicy", "V1UpdatePolicy"),
    ("DeletePolicy", "V1DeletePolicy"),
    ("CreateStream", "V1CreateStream"),
    ("GetStream", "V1GetStream"),
    ("UpdateStream", "V1UpdateStream"),
    ("SearchStreams", "V1SearchStreams"),
    ("RunStream", "V1CreateExecution"),
    ("StreamHistory", "V1ListExecutions"),
    ("ExecutionPart", "V1UploadPart"),
    ("CommitExecution", "V1CommitExecution"),
    ("AbortExecution", "V1AbortExecution"),
    ("WhoAmI", "V1GetUser"),
];

/// The name of the endpoint of the other API that does what the endpoint
/// `name` does.
pub fn counterpart(name: &str) -> Option<&'static str> {
    COUNTERPARTS
        .iter()
        .find_map(|&(product, public)| match name {
            n if n == product => Some(public),
            n if n == public => Some(product),
            _ => None,
        })
}

/// Product-API endpoints whose public-API counterpart takes the same
/// arguments and answers in the same shape, so a client with client
/// credentials sends the counterpart in their place (the browser
/// package's Node build does, for `exportCsv` and `query`): the CSV export
/// (the public API writes a null as an empty field, not `\N`) and SQL.
pub const SAME_CALL: &[(&str, &str)] =
    &[("ExportCsv", "V1ExportData"), ("ExecuteQuery", "V1Query")];

/// The public-API endpoint sent in place of the product-API endpoint
/// `name` by a client with client credentials ([`SAME_CALL`]).
pub fn same_call(name: &str) -> Option<&'static str> {
    SAME_CALL
        .iter()
        .find_map(|&(product, public)| (product == name).then_some(public))
}

impl Spec {
    /// The API the endpoint is on, read from its path.
    pub fn api(&self) -> Api {
        if self.path.starts_with("/v1/") || self.path.starts_with("/oauth/") {
            Api::Public
        } else {
            Api::Product
        }
    }

    /// How the reply to a request sent with `accept` is read: as text when
    /// `accept` is one of [`Spec::text_accepts`], else as [`Spec::reply`].
    pub fn reply_to(&self, accept: Option<&str>) -> ReplyShape {
        match accept {
            Some(a) if self.text_accepts.contains(&a) => ReplyShape::Text,
            _ => self.reply,
        }
    }

    /// The argument called `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// A spec with the defaults every declaration starts from: no query,
    /// no body, JSON accepted and read without steps, idempotent as the
    /// method is, no checks and no browser method.
    pub const fn base(
        name: &'static str,
        method: Method,
        path: &'static str,
        params: &'static [Param],
        #[cfg_attr(not(feature = "describe"), allow(unused_variables))] output: &'static str,
    ) -> Spec {
        Spec {
            name,
            method,
            path,
            query: "",
            params,
            body: BodyShape::None,
            accept: "application/json",
            text_accepts: &[],
            idempotent: method.idempotent(),
            reply: ReplyShape::Json(&[]),
            checks: &[],
            #[cfg(feature = "describe")]
            js: &[],
            #[cfg(feature = "describe")]
            js_note: "",
            #[cfg(feature = "describe")]
            output,
            #[cfg(feature = "describe")]
            doc: "",
        }
    }
}

/// What a [`BodyShape::Build`] function reads: the call's arguments by
/// name, already checked against their [`Param`]s (the request builder's
/// `Values` implements it).
pub trait BodyValues {
    /// The argument as text; `None` when absent.
    fn text(&self, name: &str) -> Result<Option<std::borrow::Cow<'_, str>>, crate::error::Error>;
    /// The argument as JSON text (`null` when absent).
    fn json(&self, name: &str) -> Result<String, crate::error::Error>;
}

#[cfg(all(test, feature = "public-api"))]
mod tests {
    use super::*;

    /// A client sends one of each pair in the other's place: the two must
    /// read the same arguments and answer alike, or a caller's arguments
    /// would be dropped or its reply read wrong.
    #[test]
    fn same_calls_take_the_same_arguments_and_answer_alike() {
        for &(product, public) in SAME_CALL {
            let (a, b) = (crate::spec(product).unwrap(), crate::spec(public).unwrap());
            assert_eq!((a.api(), b.api()), (Api::Product, Api::Public), "{product}");
            let args = |s: &Spec| {
                s.params
                    .iter()
                    .map(|p| (p.name, p.kind, p.optional, p.default))
                    .collect::<Vec<_>>()
            };
            assert_eq!(args(a), args(b), "{product} and {public}: arguments");
            assert_eq!(a.reply, b.reply, "{product} and {public}: reply");
            assert_eq!(a.accept, b.accept, "{product} and {public}: accept");
            let body = |s: &Spec| format!("{:?}", s.body);
            assert_eq!(body(a), body(b), "{product} and {public}: body");
            assert_eq!(a.checks, b.checks, "{product} and {public}: checks");
            assert_eq!(same_call(product), Some(public));
            assert_eq!(counterpart(product), Some(public));
        }
        assert_eq!(same_call("GetDataset"), None);
    }
}
