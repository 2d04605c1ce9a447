package io.kimi.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Test clients for a {@link FakeUpstream}: {@code java.net.http} and a raw socket, bounded waits. */
final class Loopback {

  static final Duration WAIT = Duration.ofSeconds(10);

  private Loopback() {}

  /** An HTTP/1.1 client (no h2c upgrade), which pools connections. */
  static HttpClient httpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(WAIT)
        .build();
  }

  /** A JSON POST to {@code path} of the fake, with a bounded timeout. */
  static HttpRequest post(FakeUpstream upstream, String path, String json) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + path))
        .timeout(WAIT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  /** A chat completion request for {@code model}, streaming or not, with optional stream_options. */
  static String chatBody(String model, boolean stream, Boolean includeUsage) {
    String options =
        includeUsage == null
            ? ""
            : ",\"stream_options\":{\"include_usage\":" + includeUsage + "}";
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + options
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  /** The {@code data:} payloads of a complete SSE body, in order (one per event). */
  static List<String> dataPayloads(String sse) {
    List<String> payloads = new ArrayList<>();
    for (String event : sse.split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : event.split("\n")) {
        if (line.startsWith("data: ")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(line.substring("data: ".length()));
        }
      }
      if (data.length() > 0) {
        payloads.add(data.toString());
      }
    }
    return payloads;
  }

  /**
   * Sends {@code request} on a new socket and reads until the server closes it or {@code WAIT}
   * passes without a byte.
   */
  static String rawExchange(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "server neither closed nor answered within " + WAIT + "; got: " + received, e);
      }
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  /** A raw HTTP/1.1 POST of {@code json} to {@code path}. */
  static String rawPost(String path, String json, boolean close) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length
        + "\r\n"
        + (close ? "Connection: close\r\n" : "")
        + "\r\n"
        + json;
  }
}
