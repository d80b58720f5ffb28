//! One module per group of subcommands.

pub mod access;
pub mod dataset;
pub mod login;
pub mod pdp;
pub mod people;
pub mod stream;
pub mod token;
pub mod transfer;

use domo_native::model::Id;

/// A user, group or token id as typed: a number when it is one (Domo's
/// ids are numbers; `Id::Num(7)` and `Id::Str("7")` differ on the wire).
fn id(text: &str) -> Id {
    let t = text.trim();
    t.parse::<u64>()
        .map(Id::Num)
        .unwrap_or_else(|_| Id::Str(t.to_owned()))
}
