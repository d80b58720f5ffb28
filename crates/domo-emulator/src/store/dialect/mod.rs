//! Domo's SQL (MySQL-flavoured) to the SQLite the store runs: parsed once
//! with `sqlparser`'s MySQL dialect, checked to be one query, rewritten
//! (`functions` holds the MySQL functions SQLite lacks) and printed.
//! Numbers and text take MySQL's meaning through the rewrite: decimal
//! literals become exact decimals (`decimal`), arithmetic, comparisons,
//! `IN`, `BETWEEN`, `LIKE`, `SUM` and `AVG` become `numeric`'s and
//! `collation`'s functions, and a function that takes text is given a
//! decimal as its digits.
//!
//! This is a translation for good messages and MySQL meanings, not the
//! enforcement: the query still runs under `query`'s authorizer. One check
//! made here backs it: the dataset's row table is never named (the
//! authorizer allows one read of it with no view named, `COUNT(*) FROM
//! table`, because of that), checked on the SQL as the user wrote it AND on
//! the printed SQL as SQLite will read it. Functions are checked here only
//! so that an unknown one is a 400 naming it.

pub(crate) mod collation;
pub(crate) mod decimal;
pub(crate) mod functions;
pub(crate) mod math;
pub(crate) mod numeric;
pub(crate) mod regexp;
pub(crate) mod strings;

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use rusqlite::Connection;
use sqlparser::ast::{
    BinaryOperator, CastKind, CeilFloorKind, CharacterLength, DataType, DateTimeField,
    ExactNumberInfo, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArgumentList, FunctionArguments, Ident, InTarget, Interval, LimitClause, ObjectName,
    ObjectNamePart, Offset, OffsetRows, Query, SelectItem, SetExpr, Statement, TrimWhereField,
    UnaryOperator, Value, VisitMut, VisitorMut,
};
use sqlparser::dialect::{MySqlDialect, SQLiteDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Word};

use super::{Column, Result, StoreError};
use crate::csvio::{ColumnType, normalize_datetime};

/// The name the dataset has inside the SQL.
pub(crate) const VIEW: &str = "table";

/// Operators and keywords one query may hold. sqlparser builds a chain
/// `a + b + c ...` as a tree as deep as the chain without counting it
/// against its recursion limit, and walking or dropping that tree recurses
/// once per level: the cap bounds the depth, `STACK` holds it. SQLite
/// itself refuses expressions nested past 1000.
const MAX_OPERATORS: usize = 10_000;

/// `DIV`s one query may hold: sqlparser copies the whole left side at each
/// one, so a chain of them costs the square of its length to parse.
const MAX_DIVS: usize = 200;

/// The stack the translation runs on (reserved, touched only as deep as a
/// query goes): enough for `MAX_OPERATORS` levels in a debug build.
const STACK: usize = 32 << 20;

/// Statements refused by name, with a message that says so, before parsing
/// (some of them are SQLite's own and do not parse as MySQL).
const REFUSED_STATEMENTS: [&str; 33] = [
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "UPSERT",
    "MERGE",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "RENAME",
    "ATTACH",
    "DETACH",
    "PRAGMA",
    "BEGIN",
    "START",
    "COMMIT",
    "END",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "VACUUM",
    "REINDEX",
    "ANALYZE",
    "EXPLAIN",
    "SET",
    "SHOW",
    "DESCRIBE",
    "CALL",
    "LOCK",
    "UNLOCK",
    "GRANT",
    "LOAD",
];

/// Words that change data wherever they stand outside parentheses
/// (`WITH x AS (...) DELETE FROM table`).
const WRITES: [Keyword; 4] = [
    Keyword::INSERT,
    Keyword::UPDATE,
    Keyword::DELETE,
    Keyword::REPLACE,
];

/// Functions written in MySQL that the translation replaces (the rest are
/// SQLite's own or registered by `functions`).
const REWRITTEN: [&str; 23] = [
    "character_length",
    "mod",
    "greatest",
    "least",
    "char_length",
    "concat",
    "lcase",
    "ucase",
    "date_add",
    "date_sub",
    "adddate",
    "subdate",
    "curdate",
    "current_date",
    "utc_date",
    "now",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "sysdate",
    "utc_timestamp",
    "ceiling",
    "sign",
];

/// Functions whose MySQL meaning for numbers the emulator's own functions
/// give (exact decimals): the name written, the function run.
const NUMERIC_FUNCTIONS: [(&str, &str); 9] = [
    ("sum", "domo_sum"),
    ("avg", "domo_avg"),
    ("abs", "domo_abs"),
    ("floor", "domo_floor"),
    ("ceil", "domo_ceil"),
    ("ceiling", "domo_ceil"),
    ("sign", "domo_sign"),
    ("nullif", "domo_nullif"),
    ("mod", "domo_mod"),
];

/// MySQL functions the emulator runs as its own (`functions`, `strings`,
/// `math`), none of which answers a decimal: the name written, the
/// function run, the fewest and most arguments.
const MYSQL_FUNCTIONS: [(&str, &str, usize, usize); 63] = [
    // Text.
    ("left", "domo_left", 2, 2),
    ("right", "domo_right", 2, 2),
    ("mid", "domo_substring", 2, 3),
    ("locate", "domo_locate", 2, 3),
    ("instr", "domo_instr", 2, 2),
    ("lpad", "domo_lpad", 3, 3),
    ("rpad", "domo_rpad", 3, 3),
    ("repeat", "domo_repeat", 2, 2),
    ("space", "domo_space", 1, 1),
    ("reverse", "domo_reverse", 1, 1),
    ("substring_index", "domo_substring_index", 3, 3),
    ("ascii", "domo_ascii", 1, 1),
    ("strcmp", "domo_strcmp", 2, 2),
    ("format", "domo_format", 2, 2),
    ("field", "domo_field", 2, usize::MAX),
    ("elt", "domo_elt", 2, usize::MAX),
    ("find_in_set", "domo_find_in_set", 2, 2),
    // Regular expressions (`regexp`).
    ("regexp_like", "domo_regexp_like", 2, 3),
    ("regexp_instr", "domo_regexp_instr", 2, 6),
    ("regexp_substr", "domo_regexp_substr", 2, 5),
    ("regexp_replace", "domo_regexp_replace", 3, 6),
    // Math, in doubles.
    ("sqrt", "domo_sqrt", 1, 1),
    ("exp", "domo_exp", 1, 1),
    ("ln", "domo_ln", 1, 1),
    ("log", "domo_log", 1, 2),
    ("log10", "domo_log10", 1, 1),
    ("log2", "domo_log2", 1, 1),
    ("sin", "domo_sin", 1, 1),
    ("cos", "domo_cos", 1, 1),
    ("tan", "domo_tan", 1, 1),
    ("cot", "domo_cot", 1, 1),
    ("asin", "domo_asin", 1, 1),
    ("acos", "domo_acos", 1, 1),
    ("atan", "domo_atan", 1, 2),
    ("atan2", "domo_atan", 2, 2),
    ("degrees", "domo_degrees", 1, 1),
    ("radians", "domo_radians", 1, 1),
    ("pow", "domo_pow", 2, 2),
    ("power", "domo_pow", 2, 2),
    ("pi", "domo_pi", 0, 0),
    ("rand", "domo_rand", 0, 0),
    // Statistics (STD, STDDEV and VARIANCE are the population's, as in MySQL).
    ("std", "domo_stddev_pop", 1, 1),
    ("stddev", "domo_stddev_pop", 1, 1),
    ("stddev_pop", "domo_stddev_pop", 1, 1),
    ("stddev_samp", "domo_stddev_samp", 1, 1),
    ("variance", "domo_var_pop", 1, 1),
    ("var_pop", "domo_var_pop", 1, 1),
    ("var_samp", "domo_var_samp", 1, 1),
    // Dates and times.
    ("date", "domo_to_date", 1, 1),
    ("time", "domo_time", 1, 1),
    ("weekday", "domo_weekday", 1, 1),
    ("weekofyear", "domo_weekofyear", 1, 1),
    ("week", "domo_week", 1, 2),
    ("yearweek", "domo_yearweek", 1, 2),
    ("to_days", "domo_to_days", 1, 1),
    ("from_days", "domo_from_days", 1, 1),
    ("makedate", "domo_makedate", 2, 2),
    ("unix_timestamp", "domo_unix_timestamp", 1, 1),
    ("from_unixtime", "domo_from_unixtime", 1, 2),
    ("str_to_date", "domo_str_to_date", 2, 2),
    ("time_to_sec", "domo_time_to_sec", 1, 1),
    ("sec_to_time", "domo_sec_to_time", 1, 1),
    ("timediff", "domo_timediff", 2, 2),
];

/// The functions that grow text, given the longest value a query may make
/// as one more argument.
const GROWING_FUNCTIONS: [&str; 5] = [
    "domo_repeat",
    "domo_space",
    "domo_lpad",
    "domo_rpad",
    "domo_regexp_replace",
];

/// MySQL functions the translation writes in other terms (below).
const REWRITTEN_CALLS: [&str; 7] = [
    "timestampdiff",
    "timestampadd",
    "curtime",
    "current_time",
    "utc_time",
    "isnull",
    "unix_timestamp",
];

/// The units `TIMESTAMPDIFF` and `TIMESTAMPADD` take.
const TIMESTAMP_UNITS: [&str; 8] = [
    "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR",
];

/// Functions (as run) whose answer is never a decimal: truth values,
/// counts, text.
const NEVER_DECIMAL_FUNCTIONS: [&str; 12] = [
    "domo_cmp",
    "domo_same",
    "domo_in",
    "domo_like",
    "domo_text",
    "domo_int_div",
    "count",
    "length",
    "octet_length",
    "domo_lower",
    "domo_upper",
    "substr",
];

/// Functions that take any value as it is (a decimal stays a decimal);
/// every other function is given a decimal as its text, as MySQL gives
/// text functions a number.
const VALUE_FUNCTIONS: [&str; 12] = [
    "count",
    "min",
    "max",
    "coalesce",
    "ifnull",
    "if",
    "iif",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
];

/// What the translation needs from the store.
#[derive(Debug)]
pub(crate) struct Target<'a> {
    /// The dataset's columns (DATETIME ones get their literals normalised).
    pub columns: &'a [Column],
    /// The row table, which the SQL may not name.
    pub row_table: &'a str,
    /// Every name the dataset has in the SQL (`table`, an app's alias),
    /// for the refusal message.
    pub names: &'a [String],
    /// The current time, `YYYY-MM-DDTHH:MM:SS` (UTC): NOW() and CURDATE()
    /// are constants of the statement, as in MySQL.
    pub now: String,
    /// The longest value a query may make (`--max-value-bytes`): the
    /// functions that grow text are given it, to refuse a longer result
    /// before making it.
    pub max_value_bytes: usize,
}

/// The names SQLite knows on the store's connections: its built-ins and
/// `functions::register`'s. Every connection is configured alike, so the
/// first one asked answers for all.
pub(crate) fn known_functions(conn: &Connection) -> Result<&'static HashSet<String>> {
    static KNOWN: OnceLock<HashSet<String>> = OnceLock::new();
    if let Some(k) = KNOWN.get() {
        return Ok(k);
    }
    let mut stmt = conn.prepare("SELECT DISTINCT name FROM pragma_function_list")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<HashSet<String>>>()?;
    Ok(KNOWN.get_or_init(|| {
        names
            .into_iter()
            .map(|n| n.to_ascii_lowercase())
            .chain(REWRITTEN.iter().map(|n| (*n).to_owned()))
            .chain(REWRITTEN_CALLS.iter().map(|n| (*n).to_owned()))
            .chain(MYSQL_FUNCTIONS.iter().map(|(n, ..)| (*n).to_owned()))
            .collect()
    }))
}

fn refused_name(target: &Target<'_>) -> StoreError {
    let named = target
        .names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    StoreError::invalid(format!(
        "refused: reading `{}` directly is not allowed: a query reads this dataset as {named}",
        target.row_table
    ))
}

fn syntax_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::invalid(format!("SQL syntax error: {e}"))
}

fn is_blank(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_) | Token::EOF)
}

/// Translates `sql` for SQLite, or says why it cannot run.
pub(crate) fn to_sqlite(sql: &str, target: &Target<'_>, known: &HashSet<String>) -> Result<String> {
    stacker::grow(STACK, || translate(sql, target, known))
}

fn translate(sql: &str, target: &Target<'_>, known: &HashSet<String>) -> Result<String> {
    if sql.contains('\0') {
        return Err(StoreError::invalid(
            "refused: the SQL contains a NUL character",
        ));
    }
    let dialect = MySqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(syntax_error)?;
    let tokens = check_tokens(tokens, target)?;
    let statements = Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(syntax_error)?;
    let [mut statement] = <[Statement; 1]>::try_from(statements)
        .map_err(|_| StoreError::invalid("refused: only a single SELECT statement is allowed"))?;
    let Statement::Query(query) = &statement else {
        let text = statement.to_string();
        let word = text.split_whitespace().next().unwrap_or_default();
        return Err(StoreError::invalid(format!(
            "refused: only a read-only SELECT is allowed, not {}",
            word.to_ascii_uppercase()
        )));
    };
    if !matches!(
        *query.body,
        SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::SetOperation { .. } | SetExpr::Values(_)
    ) {
        return Err(StoreError::invalid(
            "refused: only a read-only SELECT is allowed",
        ));
    }
    let names = result_names(&mut statement);
    let mut rewriter = Rewriter::new(target, known);
    if let ControlFlow::Break(e) = statement.visit(&mut rewriter) {
        return Err(e);
    }
    keep_result_names(&mut statement, names);
    let printed = statement.to_string();
    // What SQLite will read, read by SQLite's rules (quotes doubled, no
    // backslash escapes): the row table must not appear there either.
    let reread = Tokenizer::new(&SQLiteDialect {}, &printed)
        .tokenize()
        .map_err(syntax_error)?;
    if reread
        .iter()
        .any(|t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case(target.row_table)))
    {
        return Err(refused_name(target));
    }
    Ok(printed)
}

/// The select list that names the result's columns: the first SELECT of
/// the outermost query (a UNION takes its names from its left side).
fn result_items(statement: &mut Statement) -> Option<&mut Vec<SelectItem>> {
    let Statement::Query(query) = statement else {
        return None;
    };
    let mut body = query.body.as_mut();
    loop {
        body = match body {
            SetExpr::Select(select) => return Some(&mut select.projection),
            SetExpr::Query(q) => q.body.as_mut(),
            SetExpr::SetOperation { left, .. } => left.as_mut(),
            _ => return None,
        };
    }
}

/// The text of each unnamed result column as the user wrote it (as
/// sqlparser prints it), which SQLite would name the column by.
fn result_names(statement: &mut Statement) -> Vec<Option<String>> {
    result_items(statement).map_or_else(Vec::new, |items| {
        items
            .iter()
            .map(|item| match item {
                // SQLite names a column read by name after the column.
                SelectItem::UnnamedExpr(Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => None,
                SelectItem::UnnamedExpr(e) => Some(e.to_string()),
                _ => None,
            })
            .collect()
    })
}

/// Names each unnamed result column the rewrite changed by its text before
/// the rewrite, as MySQL names it: `CONCAT(a, b)`, not `(a || b)`, and
/// never an internal `domo_*` call.
fn keep_result_names(statement: &mut Statement, names: Vec<Option<String>>) {
    let Some(items) = result_items(statement) else {
        return;
    };
    for (item, name) in items.iter_mut().zip(names) {
        if let (SelectItem::UnnamedExpr(e), Some(name)) = (&mut *item, name)
            && e.to_string() != name
        {
            let expr = std::mem::replace(e, string(""));
            *item = SelectItem::ExprWithAlias {
                expr,
                alias: Ident::with_quote('"', name),
            };
        }
    }
}

/// The checks made on the SQL's words before it is parsed, and the two
/// spellings MySQL's lexer reads differently from the emulator's SQLite:
/// `table`, a MySQL keyword, is the dataset's name (as a quoted name), and
/// `"x"` is a name (SQLite's reading, which queries written for the
/// emulator rely on; SQLite still reads it as a string when no column has
/// that name).
fn check_tokens(tokens: Vec<TokenWithSpan>, target: &Target<'_>) -> Result<Vec<TokenWithSpan>> {
    let significant: Vec<&Token> = tokens
        .iter()
        .map(|t| &t.token)
        .filter(|t| !is_blank(t))
        .collect();
    let statement_end = significant.iter().position(|t| **t == Token::SemiColon);
    if let Some(end) = statement_end
        && significant[end..].iter().any(|t| **t != Token::SemiColon)
    {
        return Err(StoreError::invalid(
            "refused: only a single SELECT statement is allowed (found a second statement after `;`)",
        ));
    }
    if statement_end == Some(0) || significant.is_empty() {
        return Err(StoreError::invalid("sql is empty"));
    }
    let first_word = significant.iter().find_map(|t| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    });
    if let Some(word) = first_word.filter(|w| REFUSED_STATEMENTS.contains(&w.as_str())) {
        return Err(StoreError::invalid(format!(
            "refused: only a read-only SELECT is allowed, not {word}"
        )));
    }
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut divs = 0usize;
    for (i, t) in significant.iter().enumerate() {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(w) if w.value.eq_ignore_ascii_case(target.row_table) => {
                return Err(refused_name(target));
            }
            Token::Word(w)
                if depth == 0
                    && w.quote_style.is_none()
                    && WRITES.contains(&w.keyword)
                    && significant.get(i + 1) != Some(&&Token::LParen) =>
            {
                return Err(StoreError::invalid(format!(
                    "refused: only a read-only SELECT is allowed, not {}",
                    w.value.to_ascii_uppercase()
                )));
            }
            Token::Word(w) if w.quote_style.is_some() || w.keyword == Keyword::NoKeyword => {}
            Token::Word(w) if w.keyword == Keyword::DIV => {
                divs += 1;
                operators += 1;
            }
            Token::Comma
            | Token::SemiColon
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_) => {}
            _ => operators += 1,
        }
    }
    if divs > MAX_DIVS {
        return Err(StoreError::invalid(format!(
            "refused: the SQL has more than {MAX_DIVS} DIV operators"
        )));
    }
    if operators > MAX_OPERATORS {
        return Err(StoreError::invalid(format!(
            "refused: the SQL has more than {MAX_OPERATORS} operators and keywords"
        )));
    }
    Ok(tokens
        .into_iter()
        .map(|t| {
            let token = match t.token {
                Token::Word(w) if w.keyword == Keyword::TABLE && w.quote_style.is_none() => {
                    Token::Word(Word {
                        value: w.value,
                        quote_style: Some('`'),
                        keyword: Keyword::NoKeyword,
                    })
                }
                Token::DoubleQuotedString(s) => Token::Word(Word {
                    value: s,
                    quote_style: Some('"'),
                    keyword: Keyword::NoKeyword,
                }),
                other => other,
            };
            TokenWithSpan {
                token,
                span: t.span,
            }
        })
        .collect())
}

/// Rewrites the parsed query into SQLite, bottom up.
struct Rewriter<'a> {
    columns: Vec<(&'a str, ColumnType)>,
    known: &'a HashSet<String>,
    today: String,
    now: String,
    max_value_bytes: usize,
}

impl<'a> Rewriter<'a> {
    fn new(target: &'a Target<'a>, known: &'a HashSet<String>) -> Self {
        Self {
            columns: target
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.ty))
                .collect(),
            known,
            today: target.now.get(..10).unwrap_or_default().to_owned(),
            now: target.now.clone(),
            max_value_bytes: target.max_value_bytes,
        }
    }

    /// The type of the dataset's column `e` names (by name: a subquery's
    /// column of that name is taken for it).
    fn column_type(&self, e: &Expr) -> Option<ColumnType> {
        let name = match e {
            Expr::Identifier(i) => i,
            Expr::CompoundIdentifier(parts) => parts.last()?,
            Expr::Nested(inner) => return self.column_type(inner),
            _ => return None,
        };
        self.columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(&name.value))
            .map(|(_, ty)| *ty)
    }

    fn is_datetime(&self, e: &Expr) -> bool {
        self.column_type(e) == Some(ColumnType::DateTime)
    }

    /// Whether `e` certainly holds no decimal: a literal that is not one,
    /// or a dataset column of another type. Anything else may (a
    /// subquery's column, arithmetic, an aggregate) and is treated so.
    fn never_decimal(&self, e: &Expr) -> bool {
        match e {
            Expr::Value(v) => !matches!(v.value, Value::HexStringLiteral(_)),
            Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => self.never_decimal(inner),
            // Truth values and text.
            Expr::BinaryOp { op, .. } => !matches!(
                op,
                BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide
                    | BinaryOperator::Modulo
            ),
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotDistinctFrom(..)
            | Expr::IsDistinctFrom(..)
            | Expr::In { .. }
            | Expr::Like { .. }
            | Expr::Between { .. }
            | Expr::Exists { .. } => true,
            Expr::Function(f) => {
                let name = function_name(f).to_ascii_lowercase();
                NEVER_DECIMAL_FUNCTIONS.contains(&name.as_str())
                    || MYSQL_FUNCTIONS.iter().any(|(_, run, ..)| *run == name)
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self
                .column_type(e)
                .is_some_and(|t| t != ColumnType::Decimal),
            _ => false,
        }
    }

    /// `e` as text where it may be a decimal (`domo_text`), for what takes
    /// text: MySQL writes a decimal as its digits there.
    fn as_text(&self, e: Expr) -> Expr {
        if self.never_decimal(&e) {
            e
        } else {
            call("domo_text", vec![e])
        }
    }

    /// Whether `a op b` may stay SQLite's own comparison: two of the
    /// dataset's columns (a join's keys), neither a decimal, or a side
    /// with an explicit COLLATE. Every other comparison is `domo_cmp`'s,
    /// which compares numbers of any kind and text by MySQL's collation.
    fn native_comparison(&self, a: &Expr, b: &Expr) -> bool {
        let column = |e: &Expr| {
            self.column_type(e)
                .is_some_and(|t| t != ColumnType::Decimal)
        };
        matches!(a, Expr::Collate { .. } | Expr::Tuple(_))
            || matches!(b, Expr::Collate { .. } | Expr::Tuple(_))
            || (column(a) && column(b))
    }
}

fn string(s: impl Into<String>) -> Expr {
    Expr::value(Value::SingleQuotedString(s.into()))
}

fn integer(n: i64) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// `e` as an operand of an operator the rewrite adds: in parentheses
/// unless it is one token or call, so SQLite's precedence (`||` binds
/// tighter than `=`) cannot regroup it.
fn operand(e: Expr) -> Box<Expr> {
    Box::new(match e {
        atom @ (Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Value(_)
        | Expr::Function(_)
        | Expr::Nested(_)
        | Expr::Cast { .. }) => atom,
        other => Expr::Nested(Box::new(other)),
    })
}

fn cast(expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        format: None,
    }
}

/// A function's name as written: one plain name, or the whole path.
fn function_name(f: &Function) -> String {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => i.value.clone(),
        _ => f.name.to_string(),
    }
}

/// The arguments of a call whose arguments are all plain expressions.
fn take_args(f: &mut Function, name: &str) -> Result<Vec<Expr>> {
    let list = match std::mem::replace(&mut f.args, FunctionArguments::None) {
        FunctionArguments::None => return Ok(Vec::new()),
        FunctionArguments::List(list) if list.duplicate_treatment.is_none() => list,
        _ => {
            return Err(StoreError::invalid(format!(
                "{name}() takes plain arguments"
            )));
        }
    };
    list.args
        .into_iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
            _ => Err(StoreError::invalid(format!(
                "{name}() takes plain arguments"
            ))),
        })
        .collect()
}

fn arity(name: &str, args: &[Expr], range: std::ops::RangeInclusive<usize>) -> Result<()> {
    if range.contains(&args.len()) {
        return Ok(());
    }
    let want = if range.start() == range.end() {
        range.start().to_string()
    } else if *range.end() == usize::MAX {
        format!("at least {}", range.start())
    } else {
        format!("{} to {}", range.start(), range.end())
    };
    Err(StoreError::invalid(format!(
        "{name}() takes {want} arguments, got {}",
        args.len()
    )))
}

/// MySQL's interval unit, as `functions::When::add` names it.
fn interval_unit(i: &Interval) -> Result<&'static str> {
    let unit = match (&i.leading_field, &i.last_field) {
        (Some(f), None) => match f {
            DateTimeField::Second | DateTimeField::Seconds => Some("SECOND"),
            DateTimeField::Minute | DateTimeField::Minutes => Some("MINUTE"),
            DateTimeField::Hour | DateTimeField::Hours => Some("HOUR"),
            DateTimeField::Day | DateTimeField::Days => Some("DAY"),
            DateTimeField::Week(_) | DateTimeField::Weeks => Some("WEEK"),
            DateTimeField::Month | DateTimeField::Months => Some("MONTH"),
            DateTimeField::Quarter => Some("QUARTER"),
            DateTimeField::Year | DateTimeField::Years => Some("YEAR"),
            _ => None,
        },
        _ => None,
    };
    unit.ok_or_else(|| {
        StoreError::invalid(format!(
            "INTERVAL {i}: the emulator adds SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR"
        ))
    })
}

/// `domo_date_add(x, ±n, unit)`.
fn date_add(x: Expr, interval: Interval, subtract: bool) -> Result<Expr> {
    let unit = interval_unit(&interval)?;
    let mut n = Expr::Nested(interval.value);
    if subtract {
        n = Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: Box::new(n),
        };
    }
    Ok(call("domo_date_add", vec![x, n, string(unit)]))
}

/// `CAST(x AS type)` with MySQL's meaning for MySQL's types, SQLite's for
/// the spellings only SQLite has (`INTEGER` truncates, `NUMERIC`, `BLOB`:
/// queries written for the emulator keep their answers), or why the type
/// is not offered.
fn cast_to(x: Expr, ty: &DataType, text: &dyn Fn(Expr) -> Expr) -> Result<Expr> {
    Ok(match ty {
        DataType::Signed | DataType::SignedInteger => call("domo_cast_signed", vec![x]),
        DataType::Unsigned | DataType::UnsignedInteger => call("domo_cast_unsigned", vec![x]),
        DataType::Int(_) | DataType::Integer(_) | DataType::BigInt(_) => {
            cast(text(x), DataType::Integer(None))
        }
        DataType::Numeric(ExactNumberInfo::None) => {
            cast(text(x), DataType::Numeric(ExactNumberInfo::None))
        }
        DataType::Blob(_) => cast(text(x), DataType::Blob(None)),
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => {
            // MySQL's DECIMAL alone is DECIMAL(10, 0).
            let (p, s) = match *info {
                ExactNumberInfo::None => (10, 0),
                ExactNumberInfo::Precision(p) => (p, 0),
                ExactNumberInfo::PrecisionAndScale(p, s) => (p, u64::try_from(s).unwrap_or(99)),
            };
            if !(1..=65).contains(&p) || s > 30 || s > p {
                return Err(StoreError::invalid(format!(
                    "CAST AS {ty}: MySQL allows a precision of 1 to 65 and a scale of 0 to 30, at most the precision"
                )));
            }
            call(
                "domo_cast_decimal",
                vec![x, integer(p as i64), integer(s as i64)],
            )
        }
        DataType::Char(len) | DataType::Character(len) | DataType::Varchar(len) => {
            let text = cast(text(x), DataType::Text);
            match len {
                Some(CharacterLength::IntegerLength { length, .. }) => {
                    call("substr", vec![text, integer(1), integer(*length as i64)])
                }
                _ => text,
            }
        }
        DataType::Text => cast(text(x), DataType::Text),
        DataType::Date => call("domo_to_date", vec![x]),
        DataType::Datetime(_) | DataType::Timestamp(..) => call("domo_to_datetime", vec![x]),
        DataType::Double(_)
        | DataType::DoublePrecision
        | DataType::Float(_)
        | DataType::Real
        | DataType::Float8
        | DataType::Float64 => cast(text(x), DataType::Real),
        other => {
            return Err(StoreError::invalid(format!(
                "CAST AS {other} is not offered: use SIGNED, UNSIGNED, DECIMAL[(p,s)], CHAR[(n)], DOUBLE, DATE or DATETIME"
            )));
        }
    })
}

/// A string literal that sqlparser would print wrongly: its printer leaves
/// a quote unescaped after a backslash or next to another quote, which
/// SQLite would read as the literal's end. Written as pieces joined around
/// `char(39)` instead.
fn reliteral(s: &str) -> Option<Expr> {
    if !(s.contains("\\'") || s.contains("''")) {
        return None;
    }
    let mut pieces = s.split('\'').map(|p| string(p.to_owned()));
    let first = pieces.next()?;
    let joined = pieces.fold(first, |acc, piece| {
        let with_quote = Expr::BinaryOp {
            left: Box::new(acc),
            op: BinaryOperator::StringConcat,
            right: Box::new(call("char", vec![integer(39)])),
        };
        Expr::BinaryOp {
            left: Box::new(with_quote),
            op: BinaryOperator::StringConcat,
            right: Box::new(piece),
        }
    });
    Some(Expr::Nested(Box::new(joined)))
}

impl Rewriter<'_> {
    /// The MySQL calls written in other terms: a unit named as a word
    /// (`TIMESTAMPDIFF(MONTH, a, b)`), the clock, `ISNULL(x)`.
    fn rewritten_call(&self, f: &mut Function, name: &str, lower: &str) -> Result<Option<Expr>> {
        if !REWRITTEN_CALLS.contains(&lower) {
            return Ok(None);
        }
        if lower == "unix_timestamp"
            && !matches!(&f.args, FunctionArguments::List(l) if l.args.is_empty())
            && !matches!(f.args, FunctionArguments::None)
        {
            return Ok(None);
        }
        let mut args = take_args(f, name)?;
        Ok(Some(match lower {
            "timestampdiff" | "timestampadd" => {
                arity(name, &args, 3..=3)?;
                let unit = match &args[0] {
                    Expr::Identifier(i) => i.value.to_ascii_uppercase(),
                    _ => String::new(),
                };
                if !TIMESTAMP_UNITS.contains(&unit.as_str()) {
                    return Err(StoreError::invalid(format!(
                        "{name}() takes a unit first, one of {}",
                        TIMESTAMP_UNITS.join(", ")
                    )));
                }
                let (Some(third), Some(second)) = (args.pop(), args.pop()) else {
                    return Ok(None);
                };
                if lower == "timestampdiff" {
                    call("domo_timestamp_diff", vec![string(unit), second, third])
                } else {
                    call("domo_date_add", vec![third, second, string(unit)])
                }
            }
            "curtime" | "current_time" | "utc_time" => {
                arity(name, &args, 0..=1)?;
                string(self.now.get(11..).unwrap_or_default())
            }
            "isnull" => {
                arity(name, &args, 1..=1)?;
                let Some(x) = args.pop() else {
                    return Ok(None);
                };
                Expr::Nested(Box::new(Expr::IsNull(Box::new(x))))
            }
            // UNIX_TIMESTAMP(): now.
            _ => call("domo_unix_timestamp", vec![string(self.now.clone())]),
        }))
    }

    fn function(&self, f: &mut Function) -> Result<Option<Expr>> {
        let name = function_name(f);
        let lower = name.to_ascii_lowercase();
        if !self.known.contains(&lower) {
            return Err(StoreError::invalid(format!("unknown function {name}")));
        }
        if let Some((_, runs)) = NUMERIC_FUNCTIONS.iter().find(|(n, _)| *n == lower) {
            if let FunctionArguments::List(list) = &f.args
                && list.args.len()
                    != if lower == "mod" || lower == "nullif" {
                        2
                    } else {
                        1
                    }
            {
                let want = if lower == "mod" || lower == "nullif" {
                    2
                } else {
                    1
                };
                return Err(StoreError::invalid(format!(
                    "{name}() takes {want} argument{}, got {}",
                    if want == 1 { "" } else { "s" },
                    list.args.len()
                )));
            }
            f.name = ObjectName::from(vec![Ident::new(*runs)]);
            return Ok(None);
        }
        if let Some(rewritten) = self.rewritten_call(f, &name, &lower)? {
            return Ok(Some(rewritten));
        }
        if let Some((_, runs, fewest, most)) = MYSQL_FUNCTIONS.iter().find(|(n, ..)| *n == lower) {
            let given = match &f.args {
                FunctionArguments::List(list) => list.args.len(),
                _ => 0,
            };
            if !(*fewest..=*most).contains(&given) {
                let want = if fewest == most {
                    fewest.to_string()
                } else if *most == usize::MAX {
                    format!("at least {fewest}")
                } else {
                    format!("{fewest} to {most}")
                };
                return Err(StoreError::invalid(format!(
                    "{name}() takes {want} argument{}, got {given}",
                    if *most == 1 { "" } else { "s" },
                )));
            }
            f.name = ObjectName::from(vec![Ident::new(*runs)]);
            if GROWING_FUNCTIONS.contains(runs)
                && let FunctionArguments::List(list) = &mut f.args
            {
                list.args
                    .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(integer(
                        i64::try_from(self.max_value_bytes).unwrap_or(i64::MAX),
                    ))));
            }
        }
        let takes_values = VALUE_FUNCTIONS.contains(&lower.as_str())
            || lower.starts_with("domo_")
            || matches!(
                lower.as_str(),
                "round"
                    | "truncate"
                    | "greatest"
                    | "least"
                    | "concat"
                    | "date_add"
                    | "date_sub"
                    | "adddate"
                    | "subdate"
                    // MySQL decides how FIELD compares from all its arguments.
                    | "field"
            );
        if !takes_values && let FunctionArguments::List(list) = &mut f.args {
            for arg in &mut list.args {
                if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg {
                    let taken = std::mem::replace(e, string(""));
                    *e = self.as_text(taken);
                }
            }
        }
        Ok(Some(match lower.as_str() {
            "concat" => {
                // MySQL: NULL when any argument is NULL, as SQLite's `||`
                // (SQLite's own concat() skips NULLs).
                let args = take_args(f, &name)?;
                if args.is_empty() {
                    return Err(StoreError::invalid("CONCAT() takes at least one argument"));
                }
                let mut args = args.into_iter().map(|a| operand(self.as_text(a)));
                let first = args.next().unwrap_or_else(|| Box::new(string("")));
                // One argument: `|| ''` still makes it text, as CONCAT does.
                let second = args.next().unwrap_or_else(|| Box::new(string("")));
                let pair = Expr::BinaryOp {
                    left: first,
                    op: BinaryOperator::StringConcat,
                    right: second,
                };
                let joined = args.fold(pair, |acc, e| Expr::BinaryOp {
                    left: Box::new(acc),
                    op: BinaryOperator::StringConcat,
                    right: e,
                });
                Expr::Nested(Box::new(joined))
            }
            "round" => {
                let args = take_args(f, &name)?;
                arity(&name, &args, 1..=2)?;
                call("domo_round", args)
            }
            // MySQL's GREATEST/LEAST: NULL when any argument is, numbers
            // compared as numbers, text by the collation.
            "greatest" | "least" => {
                let args = take_args(f, &name)?;
                arity(&name, &args, 2..=usize::MAX)?;
                call(
                    if lower == "greatest" {
                        "domo_greatest"
                    } else {
                        "domo_least"
                    },
                    args,
                )
            }
            // MySQL counts bytes in LENGTH/OCTET_LENGTH and characters in
            // CHAR_LENGTH/CHARACTER_LENGTH; SQLite's length() counts characters.
            "length" => {
                let args = take_args(f, &name)?;
                arity(&name, &args, 1..=1)?;
                call("octet_length", args)
            }
            "char_length" | "character_length" => {
                let args = take_args(f, &name)?;
                arity(&name, &args, 1..=1)?;
                call("length", args)
            }
            // Every letter, not SQLite's ASCII only.
            "lcase" | "ucase" | "lower" | "upper" => {
                f.name = ObjectName::from(vec![Ident::new(
                    if matches!(lower.as_str(), "lcase" | "lower") {
                        "domo_lower"
                    } else {
                        "domo_upper"
                    },
                )]);
                return Ok(None);
            }
            "date_add" | "date_sub" | "adddate" | "subdate" => {
                let mut args = take_args(f, &name)?;
                arity(&name, &args, 2..=2)?;
                let (Some(n), Some(x)) = (args.pop(), args.pop()) else {
                    return Ok(None);
                };
                let subtract = lower.ends_with("sub");
                match n {
                    Expr::Interval(i) => date_add(x, i, subtract)?,
                    // ADDDATE(x, n) and SUBDATE(x, n) count days.
                    days if lower.ends_with("date") => date_add(
                        x,
                        Interval {
                            value: Box::new(days),
                            leading_field: Some(DateTimeField::Day),
                            leading_precision: None,
                            last_field: None,
                            fractional_seconds_precision: None,
                        },
                        subtract,
                    )?,
                    _ => {
                        return Err(StoreError::invalid(format!(
                            "{name}() takes an INTERVAL as its second argument: {name}(x, INTERVAL 1 DAY)"
                        )));
                    }
                }
            }
            "curdate" | "current_date" | "utc_date" => {
                let args = take_args(f, &name)?;
                arity(&name, &args, 0..=0)?;
                string(self.today.clone())
            }
            "now" | "current_timestamp" | "localtime" | "localtimestamp" | "sysdate"
            | "utc_timestamp" => {
                // An optional fractional-seconds precision: the store keeps whole seconds.
                let args = take_args(f, &name)?;
                arity(&name, &args, 0..=1)?;
                string(self.now.clone())
            }
            "printf" => {
                // SQLite's printf() answers NULL, not an error, when its
                // result would pass the length limit (`--max-value-bytes`):
                // the check turns that NULL into the limit's 400. A
                // non-NULL format never gives NULL otherwise. The format
                // expression is written twice, so SQLite evaluates it twice.
                let args = take_args(f, &name)?;
                let Some(format) = args.first().cloned() else {
                    return Ok(Some(call(&name, args)));
                };
                call("domo_checked_printf", vec![call(&name, args), format])
            }
            "group_concat" => {
                // MySQL's `SEPARATOR s` is SQLite's second argument.
                if let FunctionArguments::List(list) = &mut f.args {
                    let mut separator = None;
                    list.clauses.retain(|c| match c {
                        FunctionArgumentClause::Separator(v) => {
                            separator = Some(v.clone());
                            false
                        }
                        _ => true,
                    });
                    if let Some(sep) = separator {
                        list.args
                            .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(
                                sep,
                            ))));
                    }
                }
                return Ok(None);
            }
            _ => return Ok(None),
        }))
    }

    /// The rewrite of one expression, whose parts are rewritten already.
    fn expr(&self, e: &mut Expr) -> Result<Option<Expr>> {
        Ok(match e {
            Expr::Function(f) => self.function(f)?,
            Expr::Cast {
                expr, data_type, ..
            } => Some(cast_to(
                std::mem::replace(expr, string("")),
                data_type,
                &|x| self.as_text(x),
            )?),
            Expr::Convert {
                expr,
                data_type: Some(ty),
                ..
            } => Some(cast_to(std::mem::replace(expr, string("")), ty, &|x| {
                self.as_text(x)
            })?),
            // CONVERT(x USING charset): text is UTF-8 throughout already.
            Expr::Convert {
                expr,
                data_type: None,
                charset: Some(_),
                ..
            } => Some(std::mem::replace(expr, string(""))),
            // MySQL's SUBSTRING (SUBSTR, `FROM`/`FOR`), TRIM and POSITION.
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![
                    self.as_text(std::mem::replace(expr, string(""))),
                    substring_from.take().map_or_else(|| integer(1), |e| *e),
                ];
                args.extend(substring_for.take().map(|e| *e));
                Some(call("domo_substring", args))
            }
            Expr::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                if trim_characters.is_some() {
                    return Err(StoreError::invalid(
                        "TRIM(x, characters) is not MySQL's: write TRIM([BOTH | LEADING | TRAILING] what FROM x)",
                    ));
                }
                let side = match trim_where {
                    Some(TrimWhereField::Leading) => 1,
                    Some(TrimWhereField::Trailing) => 2,
                    _ => 0,
                };
                let what = trim_what
                    .take()
                    .map_or_else(|| string(" "), |w| self.as_text(*w));
                Some(call(
                    "domo_trim",
                    vec![
                        self.as_text(std::mem::replace(expr, string(""))),
                        what,
                        integer(side),
                    ],
                ))
            }
            Expr::Position { expr, r#in } => Some(call(
                "domo_locate",
                vec![
                    self.as_text(std::mem::replace(expr, string(""))),
                    self.as_text(std::mem::replace(r#in, string(""))),
                ],
            )),
            Expr::Extract { field, expr, .. } => {
                let part = match field {
                    DateTimeField::Year => "year",
                    DateTimeField::Quarter => "quarter",
                    DateTimeField::Month => "month",
                    DateTimeField::Day => "day",
                    DateTimeField::Hour => "hour",
                    DateTimeField::Minute => "minute",
                    DateTimeField::Second => "second",
                    other => {
                        return Err(StoreError::invalid(format!(
                            "EXTRACT({other} FROM ...) is not offered: use YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE or SECOND"
                        )));
                    }
                };
                Some(call(part, vec![std::mem::replace(expr, string(""))]))
            }
            Expr::BinaryOp { left, op, right } => {
                let take = |b: &mut Box<Expr>| std::mem::replace(b.as_mut(), string(""));
                match op {
                    BinaryOperator::Plus | BinaryOperator::Minus
                        if matches!(**right, Expr::Interval(_)) =>
                    {
                        let subtract = *op == BinaryOperator::Minus;
                        let Expr::Interval(i) = take(right) else {
                            return Ok(None);
                        };
                        Some(date_add(take(left), i, subtract)?)
                    }
                    BinaryOperator::Plus if matches!(**left, Expr::Interval(_)) => {
                        let Expr::Interval(i) = take(left) else {
                            return Ok(None);
                        };
                        Some(date_add(take(right), i, false)?)
                    }
                    BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply
                        if !(self.never_decimal(left) && self.never_decimal(right)) =>
                    {
                        let f = match op {
                            BinaryOperator::Plus => "domo_add",
                            BinaryOperator::Minus => "domo_sub",
                            _ => "domo_mul",
                        };
                        Some(call(f, vec![take(left), take(right)]))
                    }
                    BinaryOperator::Divide => Some(call("domo_div", vec![take(left), take(right)])),
                    BinaryOperator::Modulo => Some(call("domo_mod", vec![take(left), take(right)])),
                    BinaryOperator::MyIntegerDivide => {
                        Some(call("domo_int_div", vec![take(left), take(right)]))
                    }
                    BinaryOperator::Spaceship if self.native_comparison(left, right) => Some(
                        Expr::IsNotDistinctFrom(operand(take(left)), operand(take(right))),
                    ),
                    BinaryOperator::Spaceship => {
                        Some(call("domo_same", vec![take(left), take(right)]))
                    }
                    BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq => {
                        if self.is_datetime(left) {
                            normalize_literal(right);
                        } else if self.is_datetime(right) {
                            normalize_literal(left);
                        }
                        if self.native_comparison(left, right) {
                            None
                        } else {
                            Some(compared(take(left), op.clone(), take(right)))
                        }
                    }
                    _ => None,
                }
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                if self.is_datetime(expr) {
                    normalize_literal(low);
                    normalize_literal(high);
                }
                let take = |b: &mut Box<Expr>| std::mem::replace(b.as_mut(), string(""));
                let x = take(expr);
                let test = Expr::BinaryOp {
                    left: Box::new(compared(x.clone(), BinaryOperator::GtEq, take(low))),
                    op: BinaryOperator::And,
                    right: Box::new(compared(x, BinaryOperator::LtEq, take(high))),
                };
                Some(negate(Expr::Nested(Box::new(test)), *negated))
            }
            Expr::In {
                expr,
                target: InTarget::List(list),
                negated,
                ..
            } if !list.is_empty() => {
                if self.is_datetime(expr) {
                    list.iter_mut().for_each(normalize_literal);
                }
                if matches!(**expr, Expr::Collate { .. } | Expr::Tuple(_)) {
                    return Ok(None);
                }
                let x = std::mem::replace(expr.as_mut(), string(""));
                let items = std::mem::take(list);
                Some(negate(in_list(x, items), *negated))
            }
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                let take = |b: &mut Box<Expr>| std::mem::replace(b.as_mut(), string(""));
                let mut args = vec![self.as_text(take(expr)), take(pattern)];
                if let Some(esc) = escape_char {
                    args.push(take(esc));
                }
                Some(negate(call("domo_like", args), *negated))
            }
            // `x REGEXP p`, `x RLIKE p`: REGEXP_LIKE(x, p).
            Expr::RLike {
                negated,
                expr,
                pattern,
                ..
            } => {
                let take = |b: &mut Box<Expr>| std::mem::replace(b.as_mut(), string(""));
                let args = vec![self.as_text(take(expr)), self.as_text(take(pattern))];
                Some(negate(call("domo_regexp_like", args), *negated))
            }
            Expr::Case {
                operand: operand @ Some(_),
                conditions,
                ..
            } => {
                // `CASE x WHEN v` compares as `=` does.
                let x = operand.take().map(|b| *b).unwrap_or_else(|| string(""));
                for c in conditions.iter_mut() {
                    let v = std::mem::replace(&mut c.condition, string(""));
                    c.condition = compared(x.clone(), BinaryOperator::Eq, v);
                }
                return Ok(None);
            }
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } if !self.never_decimal(expr) => Some(match decimal_value(expr) {
                Some(d) => decimal_literal(d.neg()),
                None => call(
                    "domo_neg",
                    vec![std::mem::replace(expr.as_mut(), string(""))],
                ),
            }),
            // sqlparser reads FLOOR(x) and CEIL(x) as syntax of their own.
            Expr::Floor {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => Some(call(
                "domo_floor",
                vec![std::mem::replace(expr.as_mut(), string(""))],
            )),
            Expr::Ceil {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => Some(call(
                "domo_ceil",
                vec![std::mem::replace(expr.as_mut(), string(""))],
            )),
            Expr::Floor { .. } | Expr::Ceil { .. } => {
                return Err(StoreError::invalid(
                    "FLOOR() and CEIL() take one argument in MySQL",
                ));
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => number_literal(n),
                Value::SingleQuotedString(s) => reliteral(s),
                _ => None,
            },
            _ => None,
        })
    }
}

/// `domo_cmp(a, b) op 0`: MySQL's comparison (see `numeric::compare`).
fn compared(a: Expr, op: BinaryOperator, b: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(call("domo_cmp", vec![a, b])),
        op,
        right: Box::new(integer(0)),
    }
}

fn negate(e: Expr, negated: bool) -> Expr {
    if negated {
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: Box::new(e),
        }
    } else {
        e
    }
}

/// Items one `domo_in` call takes (SQLite allows 1000 arguments).
const IN_CHUNK: usize = 500;

/// `x IN (items)` as `domo_in` calls, a chunk each, joined by OR.
fn in_list(x: Expr, items: Vec<Expr>) -> Expr {
    let mut calls = items.chunks(IN_CHUNK).map(|chunk| {
        let mut args = Vec::with_capacity(chunk.len() + 1);
        args.push(x.clone());
        args.extend(chunk.iter().cloned());
        call("domo_in", args)
    });
    let first = calls.next().unwrap_or_else(|| integer(0));
    let joined = calls.fold(first, |acc, c| Expr::BinaryOp {
        left: Box::new(acc),
        op: BinaryOperator::Or,
        right: Box::new(c),
    });
    Expr::Nested(Box::new(joined))
}

/// A decimal as a literal SQLite reads: its BLOB, in hex.
fn decimal_literal(d: decimal::Dec) -> Expr {
    let hex: String = d.encode().iter().map(|b| format!("{b:02X}")).collect();
    Expr::value(Value::HexStringLiteral(hex))
}

/// The decimal a literal `decimal_literal` wrote holds.
fn decimal_value(e: &Expr) -> Option<decimal::Dec> {
    let Expr::Value(v) = e else { return None };
    let Value::HexStringLiteral(hex) = &v.value else {
        return None;
    };
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    decimal::Dec::decode(&bytes)
}

/// A number literal as MySQL types it: with a point (and no exponent), or
/// an integer past BIGINT, it is an exact DECIMAL.
fn number_literal(n: &str) -> Option<Expr> {
    if n.contains(['e', 'E']) || (!n.contains('.') && n.parse::<i64>().is_ok()) {
        return None;
    }
    decimal::Dec::parse(n).map(decimal_literal)
}

/// A date-time literal compared with a DATETIME column, written as the
/// store keeps those (`2024-03-01 10:00` is `2024-03-01T10:00:00`), so the
/// text comparison SQLite makes is MySQL's date-time comparison.
fn normalize_literal(e: &mut Expr) {
    if let Expr::Value(v) = e
        && let Value::SingleQuotedString(s) = &v.value
        && let Some(n) = normalize_datetime(s.trim())
    {
        v.value = Value::SingleQuotedString(n);
    }
}

impl VisitorMut for Rewriter<'_> {
    type Break = StoreError;

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<StoreError> {
        match self.expr(e) {
            Ok(Some(new)) => *e = new,
            Ok(None) => {}
            Err(err) => return ControlFlow::Break(err),
        }
        ControlFlow::Continue(())
    }

    /// MySQL's `LIMIT offset, count` as `LIMIT count OFFSET offset`.
    fn post_visit_query(&mut self, q: &mut Query) -> ControlFlow<StoreError> {
        q.limit_clause = q.limit_clause.take().map(|clause| match clause {
            LimitClause::OffsetCommaLimit { offset, limit } => LimitClause::LimitOffset {
                limit: Some(limit),
                offset: Some(Offset {
                    value: offset,
                    rows: OffsetRows::None,
                }),
                limit_by: Vec::new(),
            },
            other => other,
        });
        ControlFlow::Continue(())
    }

    /// Quoted names in SQLite's double quotes, or in the first quotes the
    /// name does not contain: a name is then printed exactly, never with
    /// an escape (sqlparser's printer drops some).
    fn post_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<StoreError> {
        if ident.quote_style.is_none() {
            return ControlFlow::Continue(());
        }
        let quote = [('"', '"'), ('`', '`'), ('[', ']')]
            .into_iter()
            .find(|(_, close)| !ident.value.contains(*close));
        match quote {
            Some((open, _)) => ident.quote_style = Some(open),
            None => {
                return ControlFlow::Break(StoreError::invalid(format!(
                    "the name {:?} holds every kind of quote and cannot be written for SQLite",
                    ident.value
                )));
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<String> {
        let conn = Connection::open_in_memory().unwrap();
        functions::register(&conn).unwrap();
        known_functions(&conn).unwrap().clone()
    }

    fn columns() -> Vec<Column> {
        vec![
            Column::new("Sales Amount", ColumnType::Decimal),
            Column::new("day", ColumnType::Date),
            Column::new("at", ColumnType::DateTime),
        ]
    }

    fn translate(sql: &str) -> Result<String> {
        let columns = columns();
        let names = vec![VIEW.to_owned(), "orders".to_owned()];
        let target = Target {
            columns: &columns,
            row_table: "ds_1",
            names: &names,
            now: "2026-12-02T10:11:12".to_owned(),
            max_value_bytes: 1 << 20,
        };
        to_sqlite(sql, &target, &known())
    }

    #[test]
    fn writes_mysql_spellings_for_sqlite() {
        for (mysql, sqlite) in [
            ("SELECT * FROM table", "SELECT * FROM \"table\""),
            (
                "SELECT `Sales Amount`, table.day FROM Table LIMIT 10, 20",
                "SELECT \"Sales Amount\", \"table\".day FROM \"Table\" LIMIT 20 OFFSET 10",
            ),
            ("SELECT \"x\" FROM \"table\"", "SELECT \"x\" FROM \"table\""),
            (
                "SELECT a FROM t LIMIT 2 OFFSET 1",
                "SELECT a FROM t LIMIT 2 OFFSET 1",
            ),
            ("SELECT `a\"b` FROM t", "SELECT `a\"b` FROM t"),
            (
                "SELECT CONCAT(a, 'b', 1), CONCAT(a), LCASE(a), UCASE(a) FROM t",
                "SELECT (domo_text(a) || 'b' || 1) AS \"CONCAT(a, 'b', 1)\", (domo_text(a) || '') AS \"CONCAT(a)\", domo_lower(domo_text(a)) AS \"LCASE(a)\", domo_upper(domo_text(a)) AS \"UCASE(a)\" FROM t",
            ),
            (
                "SELECT CONCAT(a = 1, b + 1), (a + 1) DIV (b - 1), a + 1 <=> b FROM t",
                "SELECT ((domo_cmp(a, 1) = 0) || domo_text(domo_add(b, 1))) AS \"CONCAT(a = 1, b + 1)\", domo_int_div((domo_add(a, 1)), (domo_sub(b, 1))) AS \"(a + 1) DIV (b - 1)\", domo_same(domo_add(a, 1), b) AS \"a + 1 <=> b\" FROM t",
            ),
            ("SELECT 1;;", "SELECT 1"),
            ("SELECT 1 # a comment", "SELECT 1"),
            ("SELECT 1--1, 'it\\'s'", "SELECT 1 - -1, 'it''s'"),
            ("SELECT 1; -- done", "SELECT 1"),
            (
                "SELECT DATE_ADD(day, INTERVAL 3 DAY), DATE_SUB(at, INTERVAL '1' HOUR), day + INTERVAL 2 WEEK FROM t",
                "SELECT domo_date_add(day, (3), 'DAY') AS \"DATE_ADD(day, INTERVAL 3 DAY)\", domo_date_add(at, -('1'), 'HOUR') AS \"DATE_SUB(at, INTERVAL '1' HOUR)\", domo_date_add(day, (2), 'WEEK') AS \"day + INTERVAL 2 WEEK\" FROM t",
            ),
            (
                "SELECT CAST(a AS SIGNED), CAST(a AS DECIMAL(6,2)), CAST(a AS CHAR(3)), CAST(a AS DATE) FROM t",
                "SELECT domo_cast_signed(a) AS \"CAST(a AS SIGNED)\", domo_cast_decimal(a, 6, 2) AS \"CAST(a AS DECIMAL(6,2))\", substr(CAST(domo_text(a) AS TEXT), 1, 3) AS \"CAST(a AS CHAR(3))\", domo_to_date(a) AS \"CAST(a AS DATE)\" FROM t",
            ),
            (
                "SELECT CAST(a AS INTEGER), CAST(a AS NUMERIC), CAST(a AS TEXT), CAST(a AS REAL), CAST(a AS BLOB) FROM t",
                "SELECT CAST(domo_text(a) AS INTEGER) AS \"CAST(a AS INTEGER)\", CAST(domo_text(a) AS NUMERIC) AS \"CAST(a AS NUMERIC)\", CAST(domo_text(a) AS TEXT) AS \"CAST(a AS TEXT)\", CAST(domo_text(a) AS REAL) AS \"CAST(a AS REAL)\", CAST(domo_text(a) AS BLOB) AS \"CAST(a AS BLOB)\" FROM t",
            ),
            (
                "SELECT table.*, t.a FROM table AS t, TABLE",
                "SELECT \"table\".*, t.a FROM \"table\" AS t, \"TABLE\"",
            ),
            (
                "SELECT CURDATE(), NOW(), a DIV 2, a <=> b, EXTRACT(YEAR FROM day) FROM t",
                "SELECT '2026-12-02' AS \"CURDATE()\", '2026-12-02T10:11:12' AS \"NOW()\", domo_int_div(a, 2) AS \"a DIV 2\", domo_same(a, b) AS \"a <=> b\", year(day) AS \"EXTRACT(YEAR FROM day)\" FROM t",
            ),
            (
                "SELECT GROUP_CONCAT(a ORDER BY a SEPARATOR '-') FROM t",
                "SELECT GROUP_CONCAT(domo_text(a), '-' ORDER BY a) AS \"GROUP_CONCAT(a ORDER BY a SEPARATOR '-')\" FROM t",
            ),
            (
                "SELECT 1 FROM t WHERE at >= '2024-03-01 10:00' AND at BETWEEN '2024-01-01' AND '2024-12-31 23:59:59' AND day >= '2024-03-01'",
                "SELECT 1 FROM t WHERE domo_cmp(at, '2024-03-01T10:00:00') >= 0 AND (domo_cmp(at, '2024-01-01T00:00:00') >= 0 AND domo_cmp(at, '2024-12-31T23:59:59') <= 0) AND domo_cmp(day, '2024-03-01') >= 0",
            ),
            (
                "SELECT 'it''s', 'a\\\\\\'b', 'q''''q' FROM t",
                "SELECT 'it''s', ('a\\' || char(39) || 'b') AS \"'a\\'b'\", ('q' || char(39) || '' || char(39) || 'q') AS \"'q''q'\" FROM t",
            ),
        ] {
            assert_eq!(translate(mysql).unwrap(), sqlite, "{mysql}");
        }
    }

    #[test]
    fn refuses_what_is_not_one_known_query() {
        for (sql, needle) in [
            ("", "sql is empty"),
            (" ; ", "sql is empty"),
            ("SELECT 1; SELECT 2", "single SELECT"),
            ("SELECT 1; DROP TABLE x", "single SELECT"),
            ("INSERT INTO table VALUES (1)", "not INSERT"),
            (
                "WITH x AS (SELECT 1) DELETE FROM table",
                "read-only SELECT is allowed, not DELETE",
            ),
            ("PRAGMA table_info(x)", "not PRAGMA"),
            ("VACUUM", "not VACUUM"),
            ("SELECT FOO_BAR(1)", "unknown function FOO_BAR"),
            ("SELECT year(FOO_BAR(1))", "unknown function FOO_BAR"),
            ("SELECT * FROM ds_1", "`ds_1` directly is not allowed"),
            ("SELECT * FROM [DS_1]", "directly is not allowed"),
            ("SELECT `ds_1`.x FROM table", "directly is not allowed"),
            // SQLite would take a string where a table name goes for the name.
            ("SELECT COUNT(*) FROM 'ds_1'", "ds_1"),
            (
                "SELECT COUNT(*) FROM table AS t, 'DS_1' AS u",
                "directly is not allowed",
            ),
            ("SELECT 1\0", "NUL"),
            ("SELEC 1", "syntax error"),
            ("SELECT DATE_ADD(day, 1) FROM t", "INTERVAL"),
            (
                "SELECT DATE_ADD(day, INTERVAL 1 DAY_HOUR) FROM t",
                "INTERVAL",
            ),
            ("SELECT CAST(a AS BINARY) FROM t", "not offered"),
        ] {
            let e = translate(sql).unwrap_err();
            assert!(e.message.contains(needle), "{sql}: {}", e.message);
        }
        // A literal that holds the row table's name is no reference to it.
        assert!(translate("SELECT 'ds_1' FROM table").is_ok());
        assert!(translate("SELECT replace(a, 'x', 'y') FROM table").is_ok());
    }

    #[test]
    fn a_literal_cannot_end_early_in_sqlite() {
        // MySQL reads `'x\\\' ...'` as one literal; printed naively it would
        // end at the backslash for SQLite and name the row table.
        let sql = "SELECT 'x\\\\\\' UNION SELECT COUNT(*) FROM ds_1 --' FROM table";
        let out = translate(sql).unwrap();
        let tokens = Tokenizer::new(&SQLiteDialect {}, &out).tokenize().unwrap();
        assert!(
            !tokens
                .iter()
                .any(|t| matches!(t, Token::Word(w) if w.value == "ds_1")),
            "{out}"
        );
    }

    #[test]
    fn deep_expressions_are_refused_or_run_never_overflow() {
        let long = format!("SELECT {}1", "1+".repeat(200_000));
        let e = translate(&long).unwrap_err();
        assert!(e.message.contains("operators"), "{}", e.message);
        let divs = format!("SELECT a{} FROM t", " DIV 2".repeat(MAX_DIVS + 1));
        let e = translate(&divs).unwrap_err();
        assert!(e.message.contains("DIV"), "{}", e.message);
        // Chains just under the cap, each a tree as deep as it is long.
        let n = MAX_OPERATORS - 10;
        for deep in [
            format!("SELECT {}1", "1+".repeat(n)),
            format!("SELECT 1 FROM t WHERE a{}", " IS NULL".repeat(n / 2)),
            format!("SELECT 1 FROM t WHERE {}a", "a = 1 AND ".repeat(n / 3)),
            format!("SELECT CONCAT({}'x')", "'x', ".repeat(n)),
            format!("SELECT a{} FROM t", " DIV 2".repeat(MAX_DIVS)),
            format!("SELECT d{} FROM t", " + INTERVAL 1 DAY".repeat(n / 3)),
            format!("SELECT a{} FROM t", " <=> 1".repeat(n)),
        ] {
            assert!(translate(&deep).is_ok(), "{deep:.40}");
        }
    }
}
