package io.kimi.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.KimiConfig;
import io.kimi.services.internal.JsonViews;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request where it belongs: chat completions to the proxy (on the event loop), {@code /models}
 * answered from memory, every other route to the blocking pool. Stateless; shared by all channels.
 */
@ChannelHandler.Sharable
final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final Auth auth;
    private final BrowserGuard guard;
    private final BadRequests badRequests = new BadRequests();
    private final ProxyHandler proxy;
    private final Routes routes;
    private final Executor blocking;
    private final byte[] modelList;
    private final WebSocketUpgrade webSockets;
    private final StaticFiles pages = StaticFiles.dashboard();

    Dispatcher(Auth auth, BrowserGuard guard, ProxyHandler proxy, Routes routes, Executor blocking, KimiConfig config,
            JsonViews views, WebSocketUpgrade webSockets) {
        this.auth = auth;
        this.guard = guard;
        this.webSockets = webSockets;
        this.proxy = proxy;
        this.routes = routes;
        this.blocking = blocking;
        this.modelList = openAiModelList(config, views);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long arrival = System.nanoTime();
        if (request.decoderResult().isFailure()) {
            badRequests.answer(ctx.channel(), request, "Malformed HTTP request: "
                    + request.decoderResult().cause().getMessage(), true);
            return;
        }
        ApiResponse refused = guard.check(request, request.content().readableBytes(),
                ((InetSocketAddress) ctx.channel().localAddress()).getPort());
        if (refused != null) {
            Responses.write(ctx.channel(), refused);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        Map<String, List<String>> query;
        try {
            path = uri.path();
            query = uri.parameters();
        } catch (IllegalArgumentException e) {
            badRequests.answer(ctx.channel(), request, "The request URI has bad percent-encoding: " + e.getMessage()
                    + ". Encode '%' itself as %25.", false);
            return;
        }
        boolean upgrade = WebSocketUpgrade.isUpgrade(request, path);
        if (!upgrade) {
            // The dashboard page's files (GET/HEAD; "/" is index.html). They hold no data, so they load without
            // the token; the page sends it on its API calls and WebSocket (?token=).
            ApiResponse page = pages.respond(request.method(), path, request.headers());
            if (page != null) {
                Responses.write(ctx.channel(), page);
                return;
            }
        }
        boolean authorized = auth.allows(request.headers())
                || (upgrade && auth.allowsQueryToken(first(query, "token")));
        if (!authorized) {
            Responses.write(ctx.channel(), Errors.response(401, "unauthorized",
                    "This server requires 'Authorization: Bearer <token>' (the KIMI_AUTH_TOKEN it was started with).")
                    .withHeader("WWW-Authenticate", "Bearer"));
            return;
        }
        if (upgrade) {
            try {
                webSockets.upgrade(ctx, request, path);
            } catch (WebSocketHandshakeException e) {
                badRequests.answer(ctx.channel(), request, "Bad WebSocket handshake (" + e.getMessage() + "): a "
                        + "WebSocket client sends 'Connection: Upgrade', 'Upgrade: websocket', "
                        + "'Sec-WebSocket-Version: 13' and a 'Sec-WebSocket-Key'.", true);
            }
            return;
        }
        HttpMethod method = request.method();
        if (path.equals("/chat/completions") || path.equals("/v1/chat/completions")) {
            if (method.equals(HttpMethod.POST)) {
                proxy.handle(ctx.channel(), request, arrival);
            } else {
                Responses.write(ctx.channel(), Errors.response(405, "method_not_allowed",
                        "Use POST for " + path + ".").withHeader("Allow", "POST"));
            }
            return;
        }
        if (path.equals("/models") || path.equals("/v1/models")) {
            Responses.write(ctx.channel(), ApiResponse.json(200, modelList));
            return;
        }
        var match = routes.match(method, path);
        if (match.isEmpty()) {
            Responses.write(ctx.channel(), Errors.response(404, "not_found", "No route for " + method + " " + path
                    + "."));
            return;
        }
        if (match.get().endpoint() == null) {
            String allowed = match.get().allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            Responses.write(ctx.channel(), Errors.response(405, "method_not_allowed",
                    "Use " + allowed + " for " + path + ".").withHeader("Allow", allowed));
            return;
        }
        ApiRequest api = new ApiRequest(method, path, match.get().params(), query,
                request.headers().copy(), ByteBufUtil.getBytes(request.content()));
        Endpoint endpoint = match.get().endpoint();
        try {
            blocking.execute(() -> {
                ApiResponse response;
                try {
                    response = endpoint.handle(api);
                } catch (Exception e) {
                    response = Errors.fromException(e, method + " " + path);
                }
                Responses.write(ctx.channel(), response);
            });
        } catch (RejectedExecutionException e) {
            Responses.write(ctx.channel(), Errors.response(503, "busy", "The server is overloaded; try again."));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // The client went away (or was closed by a timeout) mid-request: nothing to answer.
            log.debug("Client connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("Unexpected error on client connection {}", ctx.channel(), cause);
        }
        ctx.close();
    }

    private static String first(Map<String, List<String>> query, String name) {
        var values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] openAiModelList(KimiConfig config, JsonViews views) {
        ObjectNode n = views.mapper().createObjectNode().put("object", "list");
        ArrayNode data = n.putArray("data");
        config.models().values().forEach(m -> data.addObject()
                .put("id", m.key())
                .put("object", "model")
                .put("created", 0)
                .put("owned_by", m.provider())
                .put("context_window", m.contextWindow()));
        return views.bytes(n);
    }
}
