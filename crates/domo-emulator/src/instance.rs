//! What the emulated instance calls itself where Domo's app routes name
//! the instance: AppDB's `customer`, `/domo/environment/v1` and the query
//! string the host page gives the app (`customer`, `locale`).

/// The instance (Domo's "customer", the `{customer}.domo.com` name).
pub(crate) const CUSTOMER: &str = "emulator";

/// The locale every user of the emulator has.
pub(crate) const LOCALE: &str = "en-US";
