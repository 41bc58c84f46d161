//! The cold-start floor: a `lambda_http` function that answers every request with 200 and does
//! nothing else, built with the workspace's release profile. `make measure` starts it beside
//! every function and reports each function's init time as a multiple of this one's.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(|_request| async {
        Ok::<_, lambda_http::Error>(lambda_http::Response::new(lambda_http::Body::from("ok")))
    }))
    .await
}
