//! [`declare!`](crate::declare!): one declaration per endpoint. From it come the typed
//! endpoint a Rust caller builds (a struct with a field per argument), its
//! [`crate::spec::Spec`] (the data the browser package interprets), and the
//! module's list of specs. Adding an endpoint is one declaration plus its
//! model type.
//!
//! ```ignore
//! declare! {
//!     /// `GET /api/data/v3/datasources/{id}`.
//!     GetDataset => json Dataset {
//!         GET "/api/data/v3/datasources/{datasetId}";
//!         query: "part={part}",
//!         reply: ReplyShape::Json(&[Fixup::JsonText("tags")]),
//!         js: js![getDataset(datasetId, ...)],
//!     } fields {
//!         /// The dataset.
//!         arg dataset_id "datasetId": DatasetId,
//!         arg part "part": Vec<String>,
//!     }
//! }
//! ```
//!
//! - After `=>`: `json T` (the reply decodes to `T` through the spec's
//!   steps), `empty` (the reply is not read; the output is `()`), `text`
//!   (the output is the body's bytes), or `custom T = path::to::parse`
//!   (`fn(&Self, Reply, &Prepared) -> Result<T, Error>`).
//! - The method and path template, then any [`crate::spec::Spec`] fields
//!   to set (`query`, `body`, `accept`, `text_accepts`, `idempotent`,
//!   `reply`, `checks`, `js`, `js_note`); the rest have the defaults of [`Spec::base`]
//!   (idempotency from the method).
//! - Fields: `arg name "jsName": Type` for values whose type implements
//!   [`crate::args::ArgType`]; for model values sent as JSON,
//!   `object name "jsName": Type` (a JSON object), `array ...` (a list) or
//!   `json ...` (any JSON; `json_opt` for an `Option` of one); `= "text"`
//!   gives the value an absent JavaScript argument stands for.
//!
//! [`Spec::base`]: crate::spec::Spec::base

/// The browser methods of a spec: `js![getDataset(datasetId, ...)]`; with
/// `@HANDLE;` first, methods of that [`crate::spec::JsHandle`] instead of
/// the client's (`js![@APP_COLLECTION; create(content)]`).
#[macro_export]
macro_rules! js {
    (@$handle:path; $($method:ident ( $($param:tt),* )),* $(,)?) => {
        &[$($crate::spec::JsMethod {
            name: stringify!($method),
            params: &[$(stringify!($param)),*],
            on: Some(&$handle),
        }),*]
    };
    ($($method:ident ( $($param:tt),* )),* $(,)?) => {
        &[$($crate::spec::JsMethod {
            name: stringify!($method),
            params: &[$(stringify!($param)),*],
            on: None,
        }),*]
    };
}

/// Declare endpoints; see the [module docs](mod@crate::declare).
#[macro_export]
macro_rules! declare {
    (
        $(
            $(#[doc = $doc:literal])*
            $name:ident => $how:ident $($out:ty)? $(= $parse:path)? {
                $method:ident $path:expr ;
                $($key:ident : $val:expr),* $(,)?
            } fields {
                $(
                    $(#[doc = $fdoc:literal])*
                    $fhow:ident $field:ident $js:literal : $fty:ty $(= $default:literal)?
                ),* $(,)?
            }
        )*
    ) => {
        $(
            $crate::__struct! {
                $(#[doc = $doc])*
                $name { $($(#[doc = $fdoc])* $field: $fty,)* }
            }

            impl $name {
                // Names the output type in every build (the typed impls
                // below are the only other users of it).
                #[doc(hidden)]
                #[allow(dead_code)]
                const __OUTPUT: ::std::marker::PhantomData<$crate::__output_type!($how $($out)?)> =
                    ::std::marker::PhantomData;

                /// What this endpoint is: its method, path, arguments,
                /// body, reply and browser methods.
                pub const SPEC: $crate::spec::Spec = {
                    #[allow(unused_mut)]
                    let mut spec = $crate::spec::Spec::base(
                        stringify!($name),
                        $crate::__method!($method),
                        $path,
                        &[$(
                            $crate::spec::Param {
                                name: $js,
                                kind: $crate::__kind!($fhow, $fty),
                                optional: $crate::__optional!($fhow, $fty),
                                default: $crate::__default!($($default)?),
                                #[cfg(feature = "describe")]
                                ts: $crate::__ts!($fhow, $fty),
                                #[cfg(feature = "describe")]
                                doc: concat!($($fdoc, "\n",)* ""),
                            }
                        ),*],
                        $crate::__output!($how $($out)?),
                    );
                    #[cfg(feature = "describe")]
                    {
                        spec.doc = concat!($($doc, "\n",)* "");
                    }
                    $crate::__set_reply!($how, spec);
                    $($crate::__set!(spec, $key, $val);)*
                    spec
                };
            }

            impl $name {
                /// This request as data ([`crate::request::Call`]).
                pub fn to_call(&self) -> $crate::request::Call {
                    $crate::request::Call::new(
                        &Self::SPEC,
                        [$(($js, $crate::__arg_owned!($fhow, self.$field))),*],
                    )
                }
            }

            #[cfg(feature = "typed")]
            impl $crate::args::Args for $name {
                type Json = $crate::__json_type!();

                fn arg(
                    &self,
                    _spec: &$crate::spec::Spec,
                    param: &$crate::spec::Param,
                ) -> ::std::result::Result<$crate::args::Arg<'_>, $crate::Error> {
                    $(
                        if param.name == $js {
                            return $crate::__arg!($fhow, self.$field);
                        }
                    )*
                    let _ = param;
                    Ok($crate::args::Arg::Absent)
                }

                fn json(
                    &self,
                    _spec: &$crate::spec::Spec,
                    param: &$crate::spec::Param,
                ) -> ::std::result::Result<::std::option::Option<Self::Json>, $crate::Error> {
                    $(
                        if param.name == $js {
                            return $crate::__json!($fhow, self.$field);
                        }
                    )*
                    let _ = param;
                    Ok(None)
                }
            }

            #[cfg(feature = "typed")]
            impl $crate::endpoint::Endpoint for $name {
                type Output = $crate::__output_type!($how $($out)?);

                fn spec(&self) -> &'static $crate::spec::Spec {
                    &Self::SPEC
                }

                fn parse(
                    &self,
                    reply: $crate::endpoint::Reply,
                    sent: &$crate::request::Prepared,
                ) -> ::std::result::Result<Self::Output, $crate::Error> {
                    $crate::__parse!(self, reply, sent, $how $(= $parse)?)
                }
            }
        )*

        /// Every endpoint declared in this module.
        pub const SPECS: &[&$crate::spec::Spec] = &[$(&$name::SPEC),*];
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __struct {
    ($(#[$meta:meta])* $name:ident {}) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $fty:ty,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $fty,
            )+
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __method {
    (GET) => {
        $crate::spec::Method::Get
    };
    (POST) => {
        $crate::spec::Method::Post
    };
    (PUT) => {
        $crate::spec::Method::Put
    };
    (PATCH) => {
        $crate::spec::Method::Patch
    };
    (DELETE) => {
        $crate::spec::Method::Delete
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __kind {
    (arg, $t:ty) => {
        <$t as $crate::args::ArgType>::KIND
    };
    (json, $t:ty) => {
        $crate::spec::Kind::Json
    };
    (object, $t:ty) => {
        $crate::spec::Kind::Object
    };
    (array, $t:ty) => {
        $crate::spec::Kind::Array
    };
    (json_opt, $t:ty) => {
        $crate::spec::Kind::Json
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __optional {
    (arg, $t:ty) => {
        <$t as $crate::args::ArgType>::OPTIONAL
    };
    (json, $t:ty) => {
        false
    };
    (object, $t:ty) => {
        false
    };
    (array, $t:ty) => {
        false
    };
    (json_opt, $t:ty) => {
        true
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __ts {
    (arg, $t:ty) => {
        <$t as $crate::args::ArgType>::TS
    };
    (json, $t:ty) => {
        stringify!($t)
    };
    (object, $t:ty) => {
        stringify!($t)
    };
    (array, $t:ty) => {
        stringify!($t)
    };
    (json_opt, $t:ty) => {
        stringify!($t)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __default {
    () => {
        None
    };
    ($d:literal) => {
        Some($d)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __output {
    (json $t:ty) => {
        stringify!($t)
    };
    (custom $t:ty) => {
        stringify!($t)
    };
    (empty) => {
        "void"
    };
    (text) => {
        "string"
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __output_type {
    (json $t:ty) => {
        $t
    };
    (custom $t:ty) => {
        $t
    };
    (empty) => {
        ()
    };
    (text) => {
        $crate::__bytes::Bytes
    };
}

/// A declaration's field: what only describes the endpoint (its browser
/// methods, docs) is kept with the `describe` feature alone, so that the
/// browser package does not ship it.
#[doc(hidden)]
#[macro_export]
macro_rules! __set {
    ($spec:ident, js, $val:expr) => {
        #[cfg(feature = "describe")]
        {
            $spec.js = $val;
        }
    };
    ($spec:ident, js_note, $val:expr) => {
        #[cfg(feature = "describe")]
        {
            $spec.js_note = $val;
        }
    };
    ($spec:ident, $key:ident, $val:expr) => {
        $spec.$key = $val;
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __set_reply {
    (json, $spec:ident) => {};
    (custom, $spec:ident) => {};
    (empty, $spec:ident) => {
        $spec.reply = $crate::spec::ReplyShape::Empty;
    };
    (text, $spec:ident) => {
        $spec.reply = $crate::spec::ReplyShape::Text;
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __parse {
    ($self:ident, $reply:ident, $sent:ident, json) => {
        $crate::endpoint::decode($self.spec(), &$reply, $sent)
    };
    ($self:ident, $reply:ident, $sent:ident, empty) => {{
        let _ = ($reply, $sent);
        Ok(())
    }};
    ($self:ident, $reply:ident, $sent:ident, text) => {{
        let _ = $sent;
        Ok($crate::endpoint::text_body($reply))
    }};
    ($self:ident, $reply:ident, $sent:ident, custom = $parse:path) => {
        $parse($self, $reply, $sent)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_type {
    () => {
        $crate::__serde_json::Value
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __arg {
    (arg, $e:expr) => {
        Ok($crate::args::ArgType::arg(&$e))
    };
    (json, $e:expr) => {
        $crate::args::json_text(&$e)
    };
    (object, $e:expr) => {
        $crate::args::json_text(&$e)
    };
    (array, $e:expr) => {
        $crate::args::json_text(&$e)
    };
    (json_opt, $e:expr) => {
        match &$e {
            Some(v) => $crate::args::json_text(v),
            None => Ok($crate::args::Arg::Absent),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __arg_owned {
    (arg, $e:expr) => {
        Ok::<_, $crate::Error>($crate::args::ArgType::arg(&$e).into_owned())
    };
    (json_opt, $e:expr) => {
        match &$e {
            Some(v) => $crate::args::json_arg_owned(v),
            None => Ok($crate::args::Arg::Absent),
        }
    };
    ($how:ident, $e:expr) => {
        $crate::args::json_arg_owned(&$e)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json {
    (arg, $e:expr) => {
        Ok(None)
    };
    (json, $e:expr) => {
        $crate::args::json_value(&$e).map(Some)
    };
    (object, $e:expr) => {
        $crate::args::json_value(&$e).map(Some)
    };
    (array, $e:expr) => {
        $crate::args::json_value(&$e).map(Some)
    };
    (json_opt, $e:expr) => {
        match &$e {
            Some(v) => $crate::args::json_value(v).map(Some),
            None => Ok(None),
        }
    };
}

/// An endpoint that is one of several declared ones (a step of a
/// multi-request operation): it builds and reads as the one it holds.
#[macro_export]
macro_rules! either_endpoint {
    (
        $(#[$meta:meta])*
        $name:ident -> $out:ty {
            $($(#[$vmeta:meta])* $variant:ident($ty:ty)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $($(#[$vmeta])* $variant($ty),)*
        }

        impl $name {
            /// This request as data ([`crate::request::Call`]).
            pub fn to_call(&self) -> $crate::request::Call {
                match self {
                    $($name::$variant(e) => e.to_call(),)*
                }
            }
        }

        #[cfg(feature = "typed")]
        impl $crate::args::Args for $name {
            type Json = $crate::__json_type!();
            fn arg(
                &self,
                spec: &$crate::spec::Spec,
                param: &$crate::spec::Param,
            ) -> ::std::result::Result<$crate::args::Arg<'_>, $crate::Error> {
                match self {
                    $($name::$variant(e) => e.arg(spec, param),)*
                }
            }
            fn json(
                &self,
                spec: &$crate::spec::Spec,
                param: &$crate::spec::Param,
            ) -> ::std::result::Result<::std::option::Option<Self::Json>, $crate::Error> {
                match self {
                    $($name::$variant(e) => e.json(spec, param),)*
                }
            }
        }

        #[cfg(feature = "typed")]
        impl $crate::endpoint::Endpoint for $name {
            type Output = $out;
            fn spec(&self) -> &'static $crate::spec::Spec {
                match self {
                    $($name::$variant(e) => e.spec(),)*
                }
            }
            fn parse(
                &self,
                reply: $crate::endpoint::Reply,
                sent: &$crate::request::Prepared,
            ) -> ::std::result::Result<$out, $crate::Error> {
                match self {
                    $($name::$variant(e) => e.parse(reply, sent),)*
                }
            }
        }
    };
}
