package io.kimi.proxy;

/** What an upstream connection reports to the exchange currently using it. Called on its event loop. */
interface UpstreamListener {
    /** A decoded HTTP object; ownership passes to the listener. */
    void onUpstreamMessage(Object msg);

    /** The end of one read from the connection: what its messages wrote can be flushed together. */
    void onUpstreamReadComplete();

    /** The connection closed or failed; {@code cause} is {@code null} for a plain close. */
    void onUpstreamClosed(Throwable cause);
}
