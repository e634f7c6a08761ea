//! The result of one authentication method, with the keywords of RFC 8601 section 2.7.

use serde::Serialize;
use std::fmt;

/// The outcome of SPF, DKIM, DMARC, ARC or iprev, as Authentication-Results names it.
///
/// `TempError` always means "could not decide" (a DNS timeout or SERVFAIL): it is never a
/// failure of the sender's setup, and the gate answers it with 451, never 550.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    /// The method found the message authentic.
    Pass,
    /// The method found the message not authentic.
    Fail,
    /// SPF only: the domain says the IP is probably not authorised.
    SoftFail,
    /// The domain makes no assertion (SPF `?all`), or the DKIM signature could not be checked.
    Neutral,
    /// Signed or checkable, but not acceptable to this receiver's policy (rsa-sha1, short key).
    Policy,
    /// Nothing to check: no record, no signature.
    None,
    /// A temporary error, usually DNS: try again later.
    TempError,
    /// A permanent error in the sender's records or signature.
    PermError,
}

impl AuthResult {
    /// The RFC 8601 keyword (`pass`, `fail`, `softfail`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthResult::Pass => "pass",
            AuthResult::Fail => "fail",
            AuthResult::SoftFail => "softfail",
            AuthResult::Neutral => "neutral",
            AuthResult::Policy => "policy",
            AuthResult::None => "none",
            AuthResult::TempError => "temperror",
            AuthResult::PermError => "permerror",
        }
    }

    /// True for the result that could not be decided.
    pub fn is_temporary(self) -> bool {
        self == AuthResult::TempError
    }
}

impl fmt::Display for AuthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<mail_auth::SpfResult> for AuthResult {
    fn from(r: mail_auth::SpfResult) -> Self {
        use mail_auth::SpfResult as S;
        match r {
            S::Pass => AuthResult::Pass,
            S::Fail => AuthResult::Fail,
            S::SoftFail => AuthResult::SoftFail,
            S::Neutral => AuthResult::Neutral,
            S::TempError => AuthResult::TempError,
            S::PermError => AuthResult::PermError,
            S::None => AuthResult::None,
        }
    }
}

impl From<&mail_auth::DkimResult> for AuthResult {
    fn from(r: &mail_auth::DkimResult) -> Self {
        use mail_auth::DkimResult as D;
        match r {
            D::Pass => AuthResult::Pass,
            D::Neutral(_) => AuthResult::Neutral,
            D::Fail(_) => AuthResult::Fail,
            D::PermError(_) => AuthResult::PermError,
            D::TempError(_) => AuthResult::TempError,
            D::None => AuthResult::None,
        }
    }
}

impl From<&mail_auth::DmarcResult> for AuthResult {
    fn from(r: &mail_auth::DmarcResult) -> Self {
        use mail_auth::DmarcResult as D;
        match r {
            D::Pass => AuthResult::Pass,
            D::Fail(_) => AuthResult::Fail,
            D::TempError(_) => AuthResult::TempError,
            D::PermError(_) => AuthResult::PermError,
            D::None => AuthResult::None,
        }
    }
}

impl From<&mail_auth::IprevResult> for AuthResult {
    fn from(r: &mail_auth::IprevResult) -> Self {
        use mail_auth::IprevResult as I;
        match r {
            I::Pass => AuthResult::Pass,
            I::Fail(_) => AuthResult::Fail,
            I::TempError(_) => AuthResult::TempError,
            I::PermError(_) => AuthResult::PermError,
            I::None => AuthResult::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_follow_rfc_8601() {
        assert_eq!(AuthResult::TempError.as_str(), "temperror");
        assert_eq!(AuthResult::SoftFail.to_string(), "softfail");
        assert_eq!(
            serde_json::to_value(AuthResult::PermError).expect("json"),
            "permerror"
        );
    }
}
