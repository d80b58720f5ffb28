//! The arguments of `domoctl pdp`, `token`, `login`, `logout`, `profile`
//! and `completions` (the command tree itself, and `LoginArgs`, which
//! takes the connection flags, are in [`crate::args`]).

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum PdpCommand {
    /// List the dataset's row policies (the open "All Rows" policy included)
    List { id: String },
    /// Create a policy: `pdp create ID "East" --user 7 --group 3 --where region=east,north`
    Create {
        id: String,
        /// The policy's name
        name: String,
        #[command(flatten)]
        spec: PolicySpec,
    },
    /// Change a policy: the name, people or rules given replace the old ones
    Update {
        id: String,
        policy_id: String,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        spec: PolicySpec,
    },
    /// Delete a policy
    Delete { id: String, policy_id: String },
    /// Turn row policies on: people see only the rows their policies give them
    Enable { id: String },
    /// Turn row policies off: everyone with access sees every row
    Disable { id: String },
}

/// Whom a policy names and which rows it gives them.
#[derive(Debug, Clone, Args)]
pub struct PolicySpec {
    /// A user the policy applies to (repeatable)
    #[arg(long = "user", value_name = "USER_ID")]
    pub users: Vec<String>,
    /// A group the policy applies to (repeatable)
    #[arg(long = "group", value_name = "GROUP_ID")]
    pub groups: Vec<String>,
    /// A virtual user the policy applies to (repeatable)
    #[arg(long = "virtual-user", value_name = "ID")]
    pub virtual_users: Vec<String>,
    /// Rows where COLUMN is one of the values (`region=east,north`), or none of them (`region!=west`); repeat for more conditions, all of which must hold
    #[arg(long = "where", value_name = "COLUMN=V1,V2", value_parser = parse_rule)]
    pub rules: Vec<Rule>,
    /// Compare the --where values ignoring case
    #[arg(long)]
    pub ignore_case: bool,
}

/// One `--where`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub column: String,
    pub values: Vec<String>,
    pub negate: bool,
}

/// `region=east,north` or `region!=west`.
pub fn parse_rule(s: &str) -> Result<Rule, String> {
    let (column, values, negate) = match s.split_once("!=") {
        Some((c, v)) => (c, v, true),
        None => match s.split_once('=') {
            Some((c, v)) => (c, v, false),
            None => {
                return Err(format!(
                    "`{s}`: expected COLUMN=VALUE[,VALUE...] or COLUMN!=VALUE[,VALUE...], such as region=east,north"
                ));
            }
        },
    };
    let column = column.trim();
    if column.is_empty() {
        return Err(format!("`{s}`: the column name is empty"));
    }
    let values: Vec<String> = values.split(',').map(|v| v.trim().to_owned()).collect();
    if values.iter().any(String::is_empty) {
        return Err(format!(
            "`{s}`: a value is empty (values are separated by commas)"
        ));
    }
    Ok(Rule {
        column: column.to_owned(),
        values,
        negate,
    })
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint an access token and print its value (once: it cannot be shown again)
    Create {
        name: String,
        /// The user the token acts as (default: you)
        #[arg(long, value_name = "USER_ID")]
        owner: Option<String>,
        /// Days until it expires
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
    },
    /// List access tokens (never their values)
    List,
    /// Revoke a token: it stops working at once
    Revoke { token_id: String },
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The profile to forget (default: `default`)
    #[arg(long, env = "DOMO_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// The saved profiles: names and where they point, never their tokens
    List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_equals_and_not_equals() {
        assert_eq!(
            parse_rule("region=east, north").unwrap(),
            Rule {
                column: "region".into(),
                values: vec!["east".into(), "north".into()],
                negate: false
            }
        );
        let r = parse_rule("region!=west").unwrap();
        assert!(r.negate && r.values == ["west"]);
        // A value may hold `=`.
        assert_eq!(parse_rule("eq=a=b").unwrap().values, ["a=b"]);
        assert!(parse_rule("region").unwrap_err().contains("COLUMN=VALUE"));
        assert!(
            parse_rule("=east")
                .unwrap_err()
                .contains("column name is empty")
        );
        assert!(
            parse_rule("region=east,")
                .unwrap_err()
                .contains("value is empty")
        );
    }
}
