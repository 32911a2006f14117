package io.cxpulse.local;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.io.network.netty.InboundChannelHandlerFactory;
import org.apache.flink.shaded.netty4.io.netty.buffer.Unpooled;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandler;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandlerContext;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.DefaultFullHttpResponse;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.FullHttpResponse;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpHeaderNames;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpMethod;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpRequest;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpVersion;
import org.apache.flink.shaded.netty4.io.netty.util.ReferenceCountUtil;

/**
 * Makes a Flink REST endpoint read-only when {@link #READ_ONLY} is set: every request other than
 * GET, HEAD or OPTIONS is answered 403 before it reaches Flink's handlers.
 *
 * <p>Why a Netty handler: {@code web.cancel.enable = false} only hides the web UI's cancel button;
 * Flink still registers the REST handlers that cancel ({@code PATCH /jobs/:id}), stop with a
 * savepoint, trigger savepoints and rescale, and its REST API has no authentication. Flink's
 * documented extension point for the REST server's pipeline is an {@link
 * InboundChannelHandlerFactory} found by {@link java.util.ServiceLoader}; the handlers it creates
 * see each aggregated request after HTTP decoding and before routing. Local mode stops its jobs
 * in-process (Ctrl-C), so it needs no writing method on the API at all.
 */
public final class ReadOnlyRestApi implements InboundChannelHandlerFactory {

  /** Whether the REST API refuses every method but GET, HEAD and OPTIONS. */
  public static final ConfigOption<Boolean> READ_ONLY =
      ConfigOptions.key("cx-pulse.rest.read-only")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Refuse every REST request but GET, HEAD and OPTIONS (local mode: nothing can"
                  + " cancel, stop, savepoint or rescale the jobs through the API).");

  static final Set<HttpMethod> READING_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Optional<ChannelHandler> createHandler(
      Configuration configuration, Map<String, String> responseHeaders) {
    return configuration.get(READ_ONLY)
        ? Optional.of(new RefuseWriting(responseHeaders))
        : Optional.empty();
  }

  /** One per connection: the factory is asked for a handler each time a channel opens. */
  private static final class RefuseWriting extends ChannelInboundHandlerAdapter {

    private final Map<String, String> responseHeaders;

    RefuseWriting(Map<String, String> responseHeaders) {
      this.responseHeaders = Map.copyOf(responseHeaders);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (!(message instanceof HttpRequest request) || READING_METHODS.contains(request.method())) {
        ctx.fireChannelRead(message);
        return;
      }
      ReferenceCountUtil.release(message);
      // Flink's own error body shape, so the web UI and clients show the reason.
      byte[] body =
          ("{\"errors\":[\"This Flink REST API is read-only: "
                  + request.method()
                  + " is refused. Stop local mode with Ctrl-C.\"]}")
              .getBytes(StandardCharsets.UTF_8);
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, Unpooled.wrappedBuffer(body));
      responseHeaders.forEach((name, value) -> response.headers().set(name, value));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8");
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
      // The connection stays open, as after any Flink answer: the request was read whole (the
      // aggregator sits before this handler), and closing it raced HTTP clients that send their
      // next request on the same kept-alive connection ("header parser received no bytes").
      ctx.writeAndFlush(response);
    }
  }
}
