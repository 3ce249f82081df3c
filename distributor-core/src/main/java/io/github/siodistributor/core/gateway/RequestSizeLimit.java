package io.github.siodistributor.core.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Request bodies up to the limit, whole; a larger one gets 413 and the connection closes, as from a worker (whose
 * session would end for it too). Netty's own answer keeps a keep-alive connection open, but this one reads only
 * when the router asks, and the router never hears of a request it did not get.
 */
final class RequestSizeLimit extends HttpObjectAggregator {

    RequestSizeLimit(int maxRequestSize) {
        // closing also when the 413 answers an Expect: 100-continue whose length is over the limit; else the
        // connection would wait for a body nobody reads
        super(maxRequestSize, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse tooLarge = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.EMPTY_BUFFER);
        HttpUtil.setContentLength(tooLarge, 0);
        tooLarge.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(tooLarge).addListener(ChannelFutureListener.CLOSE);
    }
}
