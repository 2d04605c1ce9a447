package io.kimi.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client that completes the handshake and then stops reading, with a tiny receive buffer so the
 * server feels it at once (a JDK client's buffers can grow to tens of megabytes on loopback).
 */
final class StalledWsClient implements AutoCloseable {
    private final Socket socket = new Socket();

    StalledWsClient(int port) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    /**
     * Reads everything the server still sends until it closes the connection (bounded); returns the close code
     * of a close frame if one arrived, -1 if the connection ended without one.
     */
    int readUntilClosed() throws IOException {
        InputStream in = socket.getInputStream();
        int closeCode = -1;
        try {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return closeCode;
                }
                int b1 = readByte(in);
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = (readByte(in) << 8) | readByte(in);
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | readByte(in);
                    }
                }
                byte[] payload = in.readNBytes((int) len);
                if ((b0 & 0x0f) == 0x8 && payload.length >= 2) {
                    closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                }
            }
        } catch (SocketException | java.io.EOFException e) {
            return closeCode; // reset by the server after its close timeout
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the stalled connection within 10 s", e);
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new java.io.EOFException();
        }
        return b;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
