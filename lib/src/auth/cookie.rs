//! The session cookie: `__Host-session`, HttpOnly, Secure, SameSite=Strict, Path=/, and a
//! Max-Age equal to the token's remaining life.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "__Host-session";

fn build(value: &str, max_age_seconds: i64) -> Option<HeaderValue> {
    let cookie = Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// `Set-Cookie` carrying a session token for `max_age_seconds`.
pub fn set_session(token: &str, max_age_seconds: i64) -> Option<HeaderValue> {
    build(token, max_age_seconds.max(0))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session() -> HeaderValue {
    build("", 0).unwrap_or_else(|| {
        HeaderValue::from_static(
            "__Host-session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0",
        )
    })
}

/// The value of the cookie `name` sent in the request's `Cookie` headers, if any and not empty.
pub fn named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

/// The session token sent in the request's `Cookie` headers, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    named(headers, SESSION_COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_has_every_attribute_the_policy_promises() {
        let value = set_session("abc", 3600).expect("header");
        let text = value.to_str().expect("ascii");
        for part in [
            "__Host-session=abc",
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/",
            "Max-Age=3600",
        ] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
        assert!(!text.contains("Domain"), "{text}");
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-session=tok; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("tok"));
        headers.insert(header::COOKIE, HeaderValue::from_static("session=tok"));
        assert_eq!(session_token(&headers), None);
    }
}
