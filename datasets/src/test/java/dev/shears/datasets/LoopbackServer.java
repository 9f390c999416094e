package dev.shears.datasets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An HTTP server on loopback serving files by name, able to cut a response short once. */
final class LoopbackServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> cuts = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URI; files are served below it by name. */
    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/data/");
    }

    void serve(String name, byte[] body) {
        files.put(name, body);
    }

    /** The next response for {@code name} announces the full length but closes after {@code bytes}. */
    void cutNextAfter(String name, int bytes) {
        cuts.put(name, bytes);
    }

    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        byte[] body = files.get(path.substring(path.lastIndexOf('/') + 1));
        try (exchange) {
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Integer cut = cuts.remove(path.substring(path.lastIndexOf('/') + 1));
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, cut == null ? body.length : cut);
            out.flush();
        } catch (IOException expected) {
            // closing a cut response fails ("insufficient bytes written") and drops the connection: the point
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
