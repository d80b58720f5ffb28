//! Row policies (PDP), access tokens and login, endpoint by endpoint: the
//! exact request each builds (in the style of `endpoints.rs`), the real
//! replies API-NOTES.md records decoded through the endpoint, and the
//! secrets (password, session token, minted token) never in a message.

use domo_core::auth::Login;
use domo_core::endpoint::Reply;
use domo_core::pdp::*;
use domo_core::tokens::*;
use domo_core::users::WhoAmI;
use domo_core::{BaseUrl, Config, Credentials, Endpoint, ErrorKind, Secret};
use domo_model::Id;
use domo_model::pdp::{Policy, PolicyOperator, PolicyParameter};
use serde_json::{Value, json};

const TOKEN: &str = "tok-3f9a";
const A: &str = "https://acme.domo.com";
const PASSWORD: &str = "hunter2-correct-horse";
const SESSION: &str = "sess-7e1f0c2d9b";
const MINTED: &str = "minted-51c0ffee77";

fn config() -> Config {
    Config::new(
        BaseUrl::instance("acme").unwrap(),
        Credentials::developer_token(TOKEN),
    )
}

fn east() -> Policy {
    let mut p = Policy::new("ds-1", "East");
    p.user_ids = vec![Id::Num(7)];
    p.group_ids = vec![Id::Num(3)];
    p.parameters = vec![PolicyParameter::equals("region", ["east", "north"]).ignoring_case()];
    p
}

/// Method, URI (with query), JSON body (or `None`) and idempotence.
fn wire<E: Endpoint>(e: &E) -> (String, String, Option<Value>, bool) {
    let p = config().prepare(e).unwrap();
    assert_eq!(p.header("x-domo-developer-token"), Some(TOKEN));
    let body = (!p.body.is_empty()).then(|| {
        assert_eq!(p.header("content-type"), Some("application/json"));
        serde_json::from_slice(&p.body).unwrap()
    });
    assert_eq!(p.label.path, p.uri[A.len()..].split('?').next().unwrap());
    (p.label.method.to_string(), p.uri, body, p.idempotent)
}

#[test]
fn each_endpoint_builds_the_exact_request() {
    let policy_body = json!({"name": "East", "dataSourceId": "ds-1", "userIds": [7], "groupIds": [3],
        "virtualUserIds": [], "dataSourcePermissions": false,
        "parameters": [{"type": "COLUMN", "name": "region", "values": ["east", "north"],
                        "operator": "EQUALS", "ignoreCase": true}]});
    let mut with_id = policy_body.clone();
    with_id["filterGroupId"] = json!(12);
    let rows: Vec<(String, String, Option<Value>, bool)> = vec![
        wire(&ListPolicies {
            dataset_id: "ds-1".into(),
        }),
        wire(&CreatePolicy {
            dataset_id: "ds-1".into(),
            policy: east(),
        }),
        wire(&UpdatePolicy {
            dataset_id: "ds-1".into(),
            policy_id: "12".into(),
            policy: east(),
        }),
        wire(&DeletePolicy {
            dataset_id: "ds-1".into(),
            policy_id: "12".into(),
        }),
        wire(&SetPdp {
            dataset_id: "ds-1".into(),
            enabled: true,
            external: false,
        }),
        wire(&ListAccessTokens),
        wire(&CreateAccessToken {
            name: "etl".into(),
            owner_id: Id::Num(7),
            expires: 1_767_225_600_000,
        }),
        wire(&RevokeAccessToken {
            token_id: "41".into(),
        }),
    ];
    let q = "/api/query/v1/data-control/ds-1";
    let expected = vec![
        (
            "GET",
            format!(
                "{A}{q}/filter-groups?options=load_associations%2Cload_filters%2Cinclude_open_policy"
            ),
            None,
            true,
        ),
        (
            "POST",
            format!("{A}{q}/filter-groups"),
            Some(policy_body),
            false,
        ),
        (
            "PUT",
            format!("{A}{q}/filter-groups/12"),
            Some(with_id),
            true,
        ),
        ("DELETE", format!("{A}{q}/filter-groups/12"), None, true),
        (
            "PUT",
            format!("{A}{q}"),
            Some(json!({"enabled": true, "external": false})),
            true,
        ),
        ("GET", format!("{A}/api/data/v1/accesstokens"), None, true),
        (
            "POST",
            format!("{A}/api/data/v1/accesstokens"),
            Some(json!({"name": "etl", "ownerId": 7, "expires": 1_767_225_600_000u64})),
            false,
        ),
        (
            "DELETE",
            format!("{A}/api/data/v1/accesstokens/41"),
            None,
            true,
        ),
    ];
    assert_eq!(rows.len(), expected.len());
    for (got, (m, uri, body, idem)) in rows.into_iter().zip(expected) {
        assert_eq!(got, (m.to_owned(), uri, body, idem));
    }
}

#[test]
fn login_sends_the_password_once_in_the_body_and_no_credential_header() {
    let c = Config::new(BaseUrl::instance("acme").unwrap(), Credentials::None);
    let login = Login {
        email: " ann@example.com ".into(),
        password: Secret::new(PASSWORD),
    };
    let p = c.prepare(&login).unwrap();
    assert_eq!(p.uri, format!("{A}/api/content/v2/authentication"));
    assert_eq!(p.label.method.as_str(), "POST");
    assert!(!p.idempotent);
    let body: Value = serde_json::from_slice(&p.body).unwrap();
    assert_eq!(
        body,
        json!({"method": "password", "emailAddress": "ann@example.com", "password": PASSWORD})
    );
    assert!(p.header("x-domo-developer-token").is_none());
    assert!(p.header("x-domo-authentication").is_none());
    for printed in [format!("{login:?}"), format!("{p:?}"), format!("{p:#?}")] {
        assert!(!printed.contains(PASSWORD), "{printed}");
    }
    let empty = Login {
        email: "a@b".into(),
        password: Secret::new(""),
    };
    assert!(
        c.prepare(&empty)
            .unwrap_err()
            .to_string()
            .contains("password is empty")
    );
}

fn reply(status: u16, content_type: &str, body: &str) -> Reply {
    Reply::new(status, body.to_owned()).with_content_type(content_type)
}

fn handle<E: Endpoint>(e: &E, status: u16, body: &str) -> Result<E::Output, domo_core::Error> {
    let p = config().prepare(e).unwrap();
    e.handle(&p, reply(status, "application/json", body))
}

/// The reply as the browser package reads it (the spec's steps on the
/// parsed JSON).
fn browser<E: Endpoint>(e: &E, body: &str) -> Result<Value, domo_core::Error> {
    let p = config().prepare(e).unwrap();
    let domo_core::spec::ReplyShape::Json(fixups) = e.spec().reply else {
        panic!("a JSON reply");
    };
    domo_core::steps::read_reply(fixups, body, std::str::from_utf8(&p.body).ok())
}

#[test]
fn login_replies_a_session_or_one_clear_error() {
    let login = Login {
        email: "ann@example.com".into(),
        password: Secret::new(PASSWORD),
    };
    let ok = handle(
        &login,
        200,
        &format!(r#"{{"sessionToken":"{SESSION}","userId":7,"success":true}}"#),
    )
    .unwrap();
    assert_eq!(ok.token.expose(), SESSION);
    assert_eq!(ok.user_id, Some(Id::Num(7)));
    assert!(!format!("{ok:?}").contains(SESSION));

    for (reason, says) in [
        ("INVALID_CREDENTIALS", "wrong email address or password"),
        ("ACCOUNT_LOCKED", "locked"),
        ("SOMETHING_NEW", "SOMETHING_NEW"),
    ] {
        let e = handle(
            &login,
            200,
            &format!(r#"{{"success":false,"reason":"{reason}"}}"#),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthFailed, "{reason}");
        assert_eq!(e.auth_reason(), Some(reason));
        assert!(e.to_string().contains(says), "{e}");
        assert!(!e.is_retryable());
        assert!(!e.to_string().contains(PASSWORD));
    }

    // An unknown instance: 403 with the text `Forbidden`.
    let p = config().prepare(&login).unwrap();
    let e = login
        .handle(&p, reply(403, "text/plain", "Forbidden"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert!(e.to_string().contains("no Domo instance"), "{e}");
    assert_eq!(e.to_string().matches("Forbidden").count(), 1, "{e}");

    // A success without a token, and a reply that is no JSON, say so
    // without quoting the body.
    let e = handle(&login, 200, r#"{"success":true}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("sessionToken"), "{e}");
    let e = handle(&login, 200, &format!(r#"{{"sessionToken":"{SESSION}""#)).unwrap_err();
    assert!(!e.to_string().contains(SESSION), "{e}");
    assert!(e.body().is_none());
    let e = handle(
        &login,
        200,
        &format!(r#"{{"sessionToken":"{SESSION}","userId":[1]}}"#),
    )
    .unwrap_err();
    assert!(
        !e.to_string().contains(SESSION) && !format!("{e:?}").contains(SESSION),
        "{e}"
    );
}

#[test]
fn a_minted_token_is_a_secret_and_the_list_never_holds_one() {
    let create = CreateAccessToken {
        name: "etl".into(),
        owner_id: Id::Num(7),
        expires: 1,
    };
    let body = format!(
        r#"{{"id":41,"name":"etl","ownerId":7,"expires":1767225600000,"token":"{MINTED}"}}"#
    );
    let minted = handle(&create, 200, &body).unwrap();
    assert_eq!(minted.value.expose(), MINTED);
    assert_eq!(minted.token.id, Id::Num(41));
    assert_eq!(minted.token.expires, Some(1_767_225_600_000));
    assert!(
        minted.token.extra.is_empty(),
        "the value is not kept as an extra field"
    );
    assert!(!format!("{minted:?}").contains(MINTED));
    // The browser package's JSON is the reply as sent: the caller asked.
    let v = browser(&create, &body).unwrap();
    assert_eq!(v["token"], MINTED);

    let e = handle(&create, 200, r#"{"id":41,"name":"etl"}"#).unwrap_err();
    assert!(e.to_string().contains("no `token`"), "{e}");
    for broken in [
        format!(r#"{{"id":41,"token":"{MINTED}""#),
        format!(r#"{{"id":[41],"token":"{MINTED}"}}"#),
        format!(r#"{{"token":"{MINTED}"}}"#),
    ] {
        let e = handle(&create, 200, &broken).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        for printed in [e.to_string(), format!("{e:?}")] {
            assert!(!printed.contains(MINTED), "{printed}");
        }
        assert!(e.body().is_none());
    }

    let list = handle(
        &ListAccessTokens,
        200,
        &format!(
            r#"[{{"id":41,"name":"etl","ownerId":"7","ownerName":"Ann","expires":1767225600000,"token":"{MINTED}"}},{{"id":"42"}}]"#
        ),
    )
    .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].owner_name.as_deref(), Some("Ann"));
    assert!(!format!("{list:?}").contains(MINTED));
    let v = browser(
        &ListAccessTokens,
        &format!(r#"[{{"id":1,"token":"{MINTED}"}}]"#),
    )
    .unwrap();
    assert_eq!(v, json!([{"id": 1}]));
}

#[test]
fn policy_replies_decode_and_the_switch_reads_both_forms() {
    let list = handle(
        &ListPolicies {
            dataset_id: "ds-1".into(),
        },
        200,
        r#"[{"filterGroupId":1,"name":"All Rows","openPolicy":true,"userIds":[],"parameters":[]},
            {"filterGroupId":12,"name":"East","dataSourceId":"ds-1","userIds":["7"],"groupIds":[3],
             "virtualUserIds":[],"dataSourcePermissions":false,
             "parameters":[{"type":"COLUMN","name":"region","values":["east"],"operator":"NOT_EQUALS","ignoreCase":true}]}]"#,
    )
    .unwrap();
    assert!(list[0].is_open());
    assert_eq!(list[1].parameters[0].operator, PolicyOperator::NotEquals);
    assert_eq!(list[1].user_ids, [Id::Str("7".into())]);

    let set = SetPdp {
        dataset_id: "ds-1".into(),
        enabled: false,
        external: false,
    };
    assert_eq!(handle(&set, 200, "").unwrap().enabled, None);
    assert_eq!(
        handle(&set, 200, r#"{"enabled":false}"#).unwrap().enabled,
        Some(false)
    );
    assert_eq!(browser(&set, "").unwrap(), json!({}));

    // An update answered with an empty 200 reads as the policy sent.
    let update = UpdatePolicy {
        dataset_id: "ds-1".into(),
        policy_id: "12".into(),
        policy: east(),
    };
    let back = handle(&update, 200, "").unwrap();
    assert_eq!(back.filter_group_id, Some(Id::Num(12)));
    assert_eq!(back.name, "East");
    let created = handle(
        &CreatePolicy {
            dataset_id: "ds-1".into(),
            policy: east(),
        },
        200,
        r#"{"filterGroupId":13,"name":"East","dataSourceId":"ds-1","parameters":[]}"#,
    )
    .unwrap();
    assert_eq!(created.filter_group_id, Some(Id::Num(13)));

    // A 400 naming an unknown operator reaches the caller as it was said.
    let e = handle(
        &created_with(PolicyOperator::Other("GREATER_THAN".into())),
        400,
        r#"{"status":400,"message":"unsupported operator GREATER_THAN"}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.message().contains("GREATER_THAN"));
}

fn created_with(op: PolicyOperator) -> CreatePolicy {
    let mut p = east();
    p.parameters[0].operator = op;
    CreatePolicy {
        dataset_id: "ds-1".into(),
        policy: p,
    }
}

#[test]
fn a_policy_id_that_disagrees_with_the_path_is_refused() {
    let mut p = east();
    p.filter_group_id = Some(Id::Num(99));
    let e = config()
        .prepare(&UpdatePolicy {
            dataset_id: "ds-1".into(),
            policy_id: "12".into(),
            policy: p.clone(),
        })
        .unwrap_err();
    assert!(
        e.to_string().contains("filterGroupId") && e.to_string().contains("99"),
        "{e}"
    );
    p.filter_group_id = Some(Id::Str("12".into()));
    assert!(
        config()
            .prepare(&UpdatePolicy {
                dataset_id: "ds-1".into(),
                policy_id: "12".into(),
                policy: p,
            })
            .is_ok()
    );
    let e = config()
        .prepare(&CreatePolicy {
            dataset_id: "ds-1".into(),
            policy: Policy::new("other-ds", "x"),
        })
        .unwrap_err();
    assert!(e.to_string().contains("dataSourceId"), "{e}");
}

#[test]
fn hostile_ids_never_change_the_endpoint() {
    let uri = |e: &dyn Fn() -> Result<domo_core::Prepared, domo_core::Error>| e().map(|p| p.uri);
    assert_eq!(
        uri(&|| config().prepare(&DeletePolicy {
            dataset_id: "../x".into(),
            policy_id: "1/../../2".into(),
        }))
        .unwrap(),
        format!("{A}/api/query/v1/data-control/..%2Fx/filter-groups/1%2F..%2F..%2F2")
    );
    assert_eq!(
        uri(&|| config().prepare(&RevokeAccessToken {
            token_id: "41?all=1".into(),
        }))
        .unwrap(),
        format!("{A}/api/data/v1/accesstokens/41%3Fall%3D1")
    );
    for bad in ["", "..", ".", "a\nb"] {
        let e = config()
            .prepare(&DeletePolicy {
                dataset_id: "ds".into(),
                policy_id: bad.into(),
            })
            .unwrap_err();
        assert!(e.to_string().contains("policy id"), "{e}");
        let e = config()
            .prepare(&RevokeAccessToken {
                token_id: bad.into(),
            })
            .unwrap_err();
        assert!(e.to_string().contains("token id"), "{e}");
        let e = config()
            .prepare(&SetPdp {
                dataset_id: bad.into(),
                enabled: false,
                external: false,
            })
            .unwrap_err();
        assert!(e.to_string().contains("dataset id"), "{e}");
    }
}

#[test]
fn who_am_i_reads_the_id() {
    assert_eq!(
        handle(&WhoAmI, 200, r#"{"id":7,"displayName":"Ann"}"#)
            .unwrap()
            .id,
        Id::Num(7)
    );
    assert_eq!(
        config().prepare(&WhoAmI).unwrap().uri,
        format!("{A}/api/content/v2/users/me")
    );
}
