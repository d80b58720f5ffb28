//! The request builder: one [`Spec`] and its arguments make one
//! [`Prepared`] request, whoever supplies the arguments (a typed endpoint
//! or the browser package's JavaScript object). Paths, query strings,
//! bodies and headers are built here and nowhere else.

use std::borrow::Cow;

use bytes::Bytes;

use crate::args::{Arg, Args, bad_arg, label};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::json::JsonDoc;
use crate::path::{query_value, segment};
use crate::secret::{Credentials, Secret};
use crate::spec::{Api, BodyShape, BodyValues, Check, Kind, Method, Param, Spec};

/// Method and path of a request, for errors and tracing. Never holds a
/// credential or the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLabel {
    /// The method.
    pub method: Method,
    /// The path, ids encoded, without the query.
    pub path: String,
}

/// One request header. Its value is hidden from `Debug` when sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// Lower-case name.
    pub name: &'static str,
    /// The value.
    pub value: String,
    /// Whether the value is a credential.
    pub sensitive: bool,
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value: &str = if self.sensitive {
            "[redacted]"
        } else {
            &self.value
        };
        write!(f, "{}: {value}", self.name)
    }
}

/// A built request that a transport can send as many times as its retries
/// need: `Bytes` bodies clone without copying.
#[derive(Clone)]
pub struct Prepared {
    /// The endpoint's name (`GetDataset`).
    pub endpoint: &'static str,
    /// Method and path.
    pub label: RequestLabel,
    /// The whole URL (relative in custom-app mode).
    pub uri: String,
    /// Headers to send.
    pub headers: Vec<Header>,
    /// The body.
    pub body: Bytes,
    /// Whether a failure that may have reached the server may be retried.
    pub idempotent: bool,
}

/// The body's length, not its bytes: a login body holds a password.
impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("endpoint", &self.endpoint)
            .field("label", &self.label)
            .field("uri", &self.uri)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl Prepared {
    /// Carry `token` as `Authorization: Bearer` (the public API's access
    /// token), in place of any token set before: a transport sets it on
    /// each attempt, from its [`crate::oauth::TokenState`].
    pub fn set_bearer(&mut self, token: &Secret) -> Result<(), Error> {
        let value = token.expose();
        if value.is_empty() || value.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::new(
                ErrorKind::Decode,
                "the access token is empty or holds characters that cannot go in an HTTP header",
            ));
        }
        self.headers.retain(|h| h.name != "authorization");
        self.headers.push(Header {
            name: "authorization",
            value: format!("Bearer {value}"),
            sensitive: true,
        });
        Ok(())
    }

    /// The value of a header, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value.as_str())
    }
}

/// A request as data: a declared endpoint and its arguments, owned. What a
/// multi-request rule (a load's plan, a pager) hands a transport that does
/// not build typed endpoints (the browser package): every declared type
/// turns into one with `to_call()`.
#[derive(Debug, Clone)]
pub struct Call {
    /// The endpoint.
    pub spec: &'static Spec,
    /// Its arguments by name.
    pub args: Vec<(&'static str, Arg<'static>)>,
    /// Why an argument could not be read (a model value that would not
    /// encode): [`Call::prepare`] reports it.
    pub failed: Option<String>,
}

impl Call {
    /// A call of `spec` with `args`; `results` are the arguments as read,
    /// the first failure kept for [`Call::prepare`].
    pub fn new(
        spec: &'static Spec,
        results: impl IntoIterator<Item = (&'static str, Result<Arg<'static>, Error>)>,
    ) -> Call {
        let mut failed = None;
        let mut args = Vec::new();
        for (name, result) in results {
            match result {
                Ok(arg) => args.push((name, arg)),
                Err(e) => {
                    failed.get_or_insert_with(|| format!("`{name}`: {e}"));
                }
            }
        }
        Call { spec, args, failed }
    }

    /// The request, built as every request is ([`Config::prepare_spec`]);
    /// `J` is the transport's JSON, for the arguments that are JSON.
    pub fn prepare<J: JsonDoc>(&self, config: &Config) -> Result<Prepared, Error> {
        if let Some(why) = &self.failed {
            return Err(Error::invalid_input(format!("{}: {why}", self.spec.name)));
        }
        config.prepare_spec(self.spec, &CallArgs::<J>(self, std::marker::PhantomData))
    }
}

struct CallArgs<'a, J>(&'a Call, std::marker::PhantomData<J>);

impl<J: JsonDoc> Args for CallArgs<'_, J> {
    type Json = J;
    fn arg(&self, _: &Spec, param: &Param) -> Result<Arg<'_>, Error> {
        Ok(self
            .0
            .args
            .iter()
            .find(|(n, _)| *n == param.name)
            .map_or(Arg::Absent, |(_, a)| a.clone()))
    }
    fn json(&self, _: &Spec, param: &Param) -> Result<Option<J>, Error> {
        match self.0.args.iter().find(|(n, _)| *n == param.name) {
            Some((_, Arg::Json(text))) => J::parse(text)
                .map(Some)
                .map_err(|e| Error::invalid_input(format!("`{}`: {e}", param.name))),
            _ => Ok(None),
        }
    }
}

/// The arguments of one request, read once and in the spec's order, with
/// defaults applied and choices mapped to their wire text.
#[derive(Debug)]
pub struct Values<'a> {
    spec: &'static Spec,
    values: Vec<(&'static Param, Arg<'a>)>,
}

impl<'a> Values<'a> {
    fn read<J: JsonDoc>(
        spec: &'static Spec,
        args: &'a dyn Args<Json = J>,
    ) -> Result<Values<'a>, Error> {
        let mut values = Vec::with_capacity(spec.params.len());
        for param in spec.params {
            let mut value = args.arg(spec, param)?;
            if value.is_absent()
                && let Some(default) = param.default
            {
                value = match param.kind {
                    Kind::Bool => Arg::Bool(default == "true"),
                    Kind::Int => Arg::Num(Cow::Borrowed(default)),
                    Kind::Json | Kind::Object | Kind::Array => Arg::Json(default.to_owned()),
                    _ => Arg::Text(Cow::Borrowed(default)),
                };
            }
            if let Kind::Choice(options) = param.kind
                && let Arg::Text(name) = &value
            {
                value = match options.iter().find(|(n, _)| *n == name.as_ref()) {
                    Some((_, Some(wire))) => Arg::Text(Cow::Borrowed(wire)),
                    Some((_, None)) => Arg::Absent,
                    None => return Err(bad_arg(spec, param.name, param.kind)),
                };
            } else if value.is_absent() && !param.optional && param.default.is_none() {
                return Err(bad_arg(spec, param.name, param.kind));
            }
            values.push((param, value));
        }
        Ok(Values { spec, values })
    }

    /// The argument called `name`.
    pub fn get(&self, name: &str) -> Result<&Arg<'a>, Error> {
        self.values
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "{}: the declaration names `{name}`, which is no argument",
                    self.spec.name
                ))
            })
    }

    /// The integer argument; `None` when absent.
    pub fn int(&self, name: &str) -> Result<Option<u64>, Error> {
        Ok(match self.get(name)? {
            Arg::Num(n) => n.parse().ok(),
            _ => None,
        })
    }
}

impl BodyValues for Values<'_> {
    /// The argument as text (see [`Arg::text`]); `None` when absent.
    fn text(&self, name: &str) -> Result<Option<Cow<'_, str>>, Error> {
        let arg = self.get(name)?;
        Ok(if arg.is_absent() { None } else { arg.text() })
    }

    /// The argument as JSON text (`null` when absent).
    fn json(&self, name: &str) -> Result<String, Error> {
        Ok(self.get(name)?.json())
    }
}

/// `{name}` placeholders of a template, with the literal text around them.
fn fill(
    template: &str,
    mut value: impl FnMut(&str) -> Result<Option<String>, Error>,
) -> Result<Option<String>, Error> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .unwrap_or(rest.len());
        match value(&rest[open + 1..close])? {
            Some(v) => out.push_str(&v),
            None => return Ok(None),
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(Some(out))
}

impl Config {
    /// Build the request `spec` describes from `args`: every argument
    /// checked, ids validated and encoded, the body written.
    pub fn prepare_spec<J: JsonDoc>(
        &self,
        spec: &'static Spec,
        args: &dyn Args<Json = J>,
    ) -> Result<Prepared, Error> {
        // Inside an app, the app's rule first: it names what to use instead.
        if self.in_app {
            in_app_only(spec)?;
        }
        check_api(spec, &self.credentials)?;
        let values = Values::read(spec, args)?;
        check(spec, &values, args)?;

        let path = fill(spec.path, |name| {
            let text = values.text(name)?.ok_or_else(|| {
                let kind = spec.param(name).map_or(Kind::Str, |p| p.kind);
                bad_arg(spec, name, kind)
            })?;
            segment_labelled(name, &text).map(Some)
        })?
        .unwrap_or_default();

        let mut uri = format!("{}{}", self.base_url.as_str(), path);
        let query = encoded_pairs(spec, spec.query, &values)?;
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(&query);
        }
        check_uri(&uri)?;

        // A template names the argument that picks the media type.
        let accept = fill(spec.accept, |name| {
            Ok(values.text(name)?.map(Cow::into_owned))
        })?
        .unwrap_or_default();
        let mut headers = vec![Header {
            name: "accept",
            value: accept,
            sensitive: false,
        }];
        let header = |name: &'static str, value: &str| Header {
            name,
            value: value.to_owned(),
            sensitive: false,
        };
        let body = match spec.body {
            BodyShape::None => Bytes::new(),
            BodyShape::Json(template) => {
                headers.push(header("content-type", "application/json"));
                Bytes::from(json_template(template, &values)?)
            }
            BodyShape::JsonWith { arg, member, from } => {
                headers.push(header("content-type", "application/json"));
                Bytes::from(json_with(spec, args, arg, member, from, values.get(from)?)?)
            }
            BodyShape::Build(build) => {
                headers.push(header("content-type", "application/json"));
                Bytes::from(build(&values)?)
            }
            BodyShape::Form(template) => {
                headers.push(header("content-type", "application/x-www-form-urlencoded"));
                Bytes::from(encoded_pairs(spec, template, &values)?)
            }
            BodyShape::Text(name) => {
                headers.push(header("content-type", "text/plain"));
                Bytes::from(values.text(name)?.unwrap_or_default().into_owned())
            }
            BodyShape::Csv { data, gzip } => {
                headers.push(header("content-type", "text/csv"));
                if matches!(values.get(gzip)?, Arg::Bool(true)) {
                    headers.push(header("content-encoding", "gzip"));
                }
                match values.get(data)? {
                    Arg::Bytes(b) => b.clone(),
                    Arg::Text(t) => Bytes::from(t.to_string()),
                    _ => Bytes::new(),
                }
            }
        };
        if let Credentials::Client(client) = &self.credentials
            && spec.path == crate::secret::TOKEN_PATH
        {
            headers.push(Header {
                name: "authorization",
                value: client.basic_header()?,
                sensitive: true,
            });
        }
        if let Some((name, secret)) = self.credentials.header() {
            if secret.expose().bytes().any(|b| b < 0x20 || b == 0x7f) {
                return Err(Error::invalid_input(
                    "the token contains characters that cannot go in an HTTP header",
                ));
            }
            headers.push(Header {
                name,
                value: secret.expose().to_owned(),
                sensitive: true,
            });
        }
        headers.push(header("user-agent", &self.user_agent));
        Ok(Prepared {
            endpoint: spec.name,
            idempotent: spec.idempotent,
            label: RequestLabel {
                method: spec.method,
                path,
            },
            uri,
            headers,
            body,
        })
    }
}

/// `key=template&...` filled from `values` and percent-encoded: a pair
/// whose placeholders are all absent (or empty) is left out. Ids in it are
/// checked as ids.
fn encoded_pairs(
    spec: &'static Spec,
    template: &str,
    values: &Values<'_>,
) -> Result<String, Error> {
    let mut out = String::new();
    for pair in template.split('&').filter(|p| !p.is_empty()) {
        let (key, template) = pair.split_once('=').unwrap_or((pair, ""));
        let value = fill(template, |name| {
            let text = values.text(name)?;
            if let (Some(t), Some(p)) = (&text, spec.param(name))
                && matches!(p.kind, Kind::Id | Kind::TextId)
            {
                // An id in a query is still an id: checked as one.
                segment_labelled(name, t)?;
            }
            Ok(text.filter(|t| !t.is_empty()).map(Cow::into_owned))
        })?;
        if let Some(value) = value {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(key);
            out.push('=');
            out.push_str(&query_value(&value));
        }
    }
    Ok(out)
}

/// Whether `path` is one of the APIs a custom app may call: the Data and
/// SQL APIs and Domo's app services (`/domo/...`: AppDB, environment,
/// users, groups).
pub fn is_app_path(path: &str) -> bool {
    ["/data/", "/sql/", "/domo/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Code inside a custom app reaches only the in-app APIs: Domo serves its
/// product API (`/api/...`) to backend services, and an app session is
/// refused there. A client on an app session refuses `spec` before
/// sending anything when it is not one of them, naming the rule.
pub fn in_app_only(spec: &Spec) -> Result<(), Error> {
    if is_app_path(spec.path) {
        return Ok(());
    }
    Err(Error::invalid_input(format!(
        "{} ({} {}) is Domo's product API, which Domo serves to backend services only, \
         not to code inside a custom app: in an app, read the datasets manifest.json maps \
         through the Data and SQL APIs (appData, appSql) and write through AppDB (appDb)",
        spec.name,
        spec.method.as_str(),
        spec.path
    )))
}

/// Client credentials reach the public API only, tokens the product API
/// only: a request for the other is refused before anything is sent,
/// naming this client's way to the same thing when there is one.
fn check_api(spec: &'static Spec, credentials: &Credentials) -> Result<(), Error> {
    let Some(have) = credentials.api() else {
        return Ok(());
    };
    let wanted = spec.api();
    if wanted == have {
        return Ok(());
    }
    let what = format!(
        "{} ({} {}) is on {}",
        spec.name,
        spec.method.as_str(),
        spec.path,
        wanted.describe()
    );
    let credential = match have {
        Api::Public => "OAuth client credentials, which reach only the public API",
        Api::Product => "a token, which reaches only the product API",
    };
    let way = match crate::spec::counterpart(spec.name) {
        Some(other) => format!("; its counterpart there is {other}"),
        None => match have {
            Api::Public => {
                "; the public API has no counterpart: use a developer token or a session (the product API) for it".to_owned()
            }
            Api::Product => {
                "; the product API's way is not in this client: use OAuth client credentials (the public API) for it".to_owned()
            }
        },
    };
    Err(Error::new(
        ErrorKind::WrongApi,
        format!("{what}, and this client has {credential}{way}; nothing was sent"),
    ))
}

/// An id argument as one encoded path segment, named in errors as the
/// argument is (`datasetId` → "dataset id").
fn segment_labelled(name: &str, text: &str) -> Result<String, Error> {
    segment(&label(name), text)
}

/// The URL must parse as an absolute URL or an origin-form path: the
/// checks above leave only a malformed base URL to catch, which
/// [`crate::BaseUrl`] already refuses, so this is a last guard.
fn check_uri(uri: &str) -> Result<(), Error> {
    if uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(Error::invalid_input(format!(
            "cannot build a URL from {uri:?}: it holds spaces or control characters"
        )));
    }
    Ok(())
}

fn check<J: JsonDoc>(
    spec: &'static Spec,
    values: &Values<'_>,
    args: &dyn Args<Json = J>,
) -> Result<(), Error> {
    for rule in spec.checks {
        match *rule {
            Check::NotBlank(name, what) => {
                if values.text(name)?.is_none_or(|t| t.trim().is_empty()) {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::NotBlankIfGiven(name, what) => {
                if values.text(name)?.is_some_and(|t| t.trim().is_empty()) {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::AnyOf(names, what) => {
                let mut any = false;
                for name in names {
                    any |= !values.get(name)?.is_absent();
                }
                if !any {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::Columns(name, what) => {
                let param = spec
                    .param(name)
                    .ok_or_else(|| bad_arg(spec, name, Kind::Json))?;
                let columns = args.json(spec, param)?;
                check_columns(what, columns.as_ref())?;
            }
            Check::OneChar(name) => {
                let text = values.text(name)?.unwrap_or_default();
                if text.chars().count() != 1 {
                    return Err(Error::invalid_input(format!(
                        "{}: the {} must be one character, got {text:?}",
                        spec.name,
                        label(name)
                    )));
                }
            }
            Check::NotEmptyList(name, what) => {
                let param = spec
                    .param(name)
                    .ok_or_else(|| bad_arg(spec, name, Kind::Json))?;
                let len = args.json(spec, param)?.and_then(|v| v.array_len());
                match len {
                    Some(n) if n > 0 => {}
                    Some(_) => return Err(Error::invalid_input(what)),
                    None => return Err(bad_arg(spec, name, Kind::Array)),
                }
            }
            Check::TextAt(name, path, what) => {
                let param = spec
                    .param(name)
                    .ok_or_else(|| bad_arg(spec, name, Kind::Json))?;
                let mut at = args.json(spec, param)?;
                for key in path.split('.') {
                    at = at.and_then(|v| v.get(key));
                }
                if at
                    .and_then(|v| v.as_str())
                    .is_none_or(|t| t.trim().is_empty())
                {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::AtLeast(name, min, what) => {
                if values.int(name)?.is_some_and(|n| n < min) {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::AtMost(name, max, what) => {
                if values.int(name)?.is_some_and(|n| n > max) {
                    return Err(Error::invalid_input(what));
                }
            }
            Check::OnlyArguments => {
                if let Some(name) = args.names().into_iter().find(|n| spec.param(n).is_none()) {
                    return Err(unknown_argument(spec, &name));
                }
            }
        }
    }
    Ok(())
}

/// The error for an argument `spec` does not have: named, with the one
/// meant when only its case differs (`groupby` for `groupBy`), else the
/// ones it has.
fn unknown_argument(spec: &Spec, name: &str) -> Error {
    let names: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
    let hint = match names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        Some(meant) => format!("did you mean `{meant}`?"),
        None => format!("it takes {}", names.join(", ")),
    };
    Error::invalid_input(format!("{}: unknown key `{name}`; {hint}", spec.name))
}

/// A column list a server can take: at least one column, names not blank
/// and unique (ASCII letters compared case-insensitively, as SQL on `table`
/// reads them; no Unicode case tables, which would cost the browser package
/// kilobytes). `what` names the request in the error.
pub fn check_columns<J: JsonDoc>(what: &str, columns: Option<&J>) -> Result<(), Error> {
    let bad = |why: String| Error::invalid_input(format!("{what}: {why}"));
    let n = columns
        .and_then(JsonDoc::array_len)
        .ok_or_else(|| bad("the columns must be a list".to_owned()))?;
    if n == 0 {
        return Err(bad("the schema needs at least one column".to_owned()));
    }
    let mut seen: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let name = columns
            .and_then(|c| c.at(i))
            .and_then(|c| c.get("name"))
            .and_then(|v| v.as_str())
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| bad(format!("column {} has a blank name", i + 1)))?;
        if seen.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
            return Err(bad(format!("column {name:?} is listed twice")));
        }
        seen.push(name);
    }
    Ok(())
}

/// A JSON body template filled in: `$name` takes the argument's JSON
/// (`null` when absent); `$?name` drops its member when absent.
fn json_template(template: &str, values: &Values<'_>) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 64);
    let bytes = template.as_bytes();
    let mut i = 0;
    // Set when a dropped member was the first of its object: the comma
    // after it goes too.
    let mut skip_comma = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c != b'$' {
            if skip_comma && c == b',' {
                skip_comma = false;
                i += 1;
                continue;
            }
            if !c.is_ascii_whitespace() {
                skip_comma = false;
            }
            let next = template[i..].find('$').map_or(bytes.len(), |n| i + n);
            let chunk = &template[i..next];
            out.push_str(chunk);
            i = next;
            continue;
        }
        let optional = bytes.get(i + 1) == Some(&b'?');
        let start = i + 1 + usize::from(optional);
        let end = template[start..]
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .map_or(bytes.len(), |n| start + n);
        let value = values.get(&template[start..end])?;
        if optional && value.is_absent() {
            // Drop `"key":` already written, and the comma before it, or
            // (as the object's first member) the comma after.
            let key_start = out.rfind(['{', ',']).map_or(0, |p| p + 1);
            let before = out[..key_start].trim_end().chars().last();
            out.truncate(key_start);
            if before.is_some() && out.ends_with(',') {
                out.pop();
            } else {
                skip_comma = true;
            }
        } else {
            out.push_str(&value.json());
        }
        i = end;
    }
    Ok(out)
}

/// The JSON argument `arg` as an object with `member` set to `from`
/// unless it is set already; set to another id, it is an error.
fn json_with<J: JsonDoc>(
    spec: &'static Spec,
    args: &dyn Args<Json = J>,
    arg: &str,
    member: &str,
    from_name: &str,
    from: &Arg<'_>,
) -> Result<String, Error> {
    let param = spec
        .param(arg)
        .ok_or_else(|| bad_arg(spec, arg, Kind::Json))?;
    let mut object = args
        .json(spec, param)?
        .filter(JsonDoc::is_object)
        .ok_or_else(|| bad_arg(spec, arg, Kind::Object))?;
    let wanted = from.text().map(Cow::into_owned).unwrap_or_default();
    // An id argument goes in as a number when it is all digits, as Domo
    // sends policy ids; text stays text.
    let numeric = spec.param(from_name).is_some_and(|p| p.kind == Kind::Id)
        && !wanted.is_empty()
        && wanted.bytes().all(|b| b.is_ascii_digit());
    match object.get(member).filter(|v| !v.is_null()) {
        None => {
            let value = match from {
                Arg::Num(n) => J::number(n),
                Arg::Text(t) if numeric => J::number(t),
                _ => None,
            }
            .unwrap_or_else(|| J::string(&wanted));
            object.set(member, value);
        }
        Some(given) => {
            let text = given.as_str().unwrap_or_else(|| given.to_json());
            if text != wanted {
                return Err(Error::invalid_input(format!(
                    "the {}'s `{member}` is {} but the {} is {wanted:?}",
                    label(arg),
                    given.to_json(),
                    label(from_name),
                )));
            }
        }
    }
    Ok(object.to_json())
}
