package org.migdal.dm.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.util.JavalinBindException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;

/**
 * The read-only dashboard, JSON API and {@code /metrics} on one port (Javalin on Jetty). Only GET and HEAD are
 * answered (others: 405); an unknown path is 404 and a bad parameter 400, as JSON under {@code /api/} ({@code {"error":
 * "..."}}) and as an HTML page elsewhere. Every catalog value is escaped in HTML.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    private final Javalin app;
    private final Listen listen;
    private final Dashboard dashboard;

    private WebServer(Javalin app, Listen listen, Dashboard dashboard) {
        this.app = app;
        this.listen = listen;
        this.dashboard = dashboard;
    }

    /** A 404 of a route that matched (no such file). */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    /**
     * Starts the server on {@code listen}; {@code metrics} may be null ({@code /metrics} then answers 503). Fails with a
     * {@link WebServerException} naming the address when it cannot listen there, leaving nothing running.
     */
    public static WebServer start(Listen listen, Dashboard dashboard, MetricsSource metrics) {
        Api api = new Api();
        QueuedThreadPool threads = new QueuedThreadPool(16, 2, 60_000);
        threads.setName("dashboard");
        threads.setDaemon(true);
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jetty.threadPool = threads;
            cfg.router.ignoreTrailingSlashes = true;
        });
        app.before(ctx -> {
            if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
                ctx.header("Allow", "GET, HEAD");
                error(ctx, api, 405, ctx.method() + " is not allowed: the dashboard is read-only (GET, HEAD)");
                ctx.skipRemainingHandlers();
            }
        });
        app.get("/", ctx -> html(ctx, OverviewPage.render(dashboard.status())));
        app.get("/files", ctx -> {
            FileQueryParams q = FileQueryParams.parse(ctx::queryParam, ctx.queryParamMap().keySet());
            Dashboard.Page page = dashboard.files(q.filter());
            html(ctx, FilesPage.list(q, page, page.next() == null && q.filter().afterId() == 0 ? 0 : dashboard.lastPageCursor(q.filter())));
        });
        app.get("/files/{id}", ctx -> {
            long id = id(ctx);
            var f = dashboard.file(id).orElseThrow(() -> new NotFound("no file with id " + id + " in the catalog"));
            html(ctx, FilesPage.file(f, dashboard.events(id)));
        });
        app.get("/api/status", ctx -> json(ctx, api.status(dashboard.status())));
        app.get("/api/files", ctx -> {
            FileQueryParams q = FileQueryParams.parse(ctx::queryParam, ctx.queryParamMap().keySet());
            json(ctx, api.files(q, dashboard.files(q.filter())));
        });
        app.get("/api/files/{id}", ctx -> {
            long id = id(ctx);
            var f = dashboard.file(id).orElseThrow(() -> new NotFound("no file with id " + id + " in the catalog"));
            json(ctx, api.file(f, dashboard.events(id)));
        });
        app.get("/runs", ctx -> {
            RunsPage.Query q = RunsPage.Query.parse(ctx::queryParam, ctx.queryParamMap().keySet());
            html(ctx, RunsPage.render(q, RunsPage.read(dashboard.runs(), q)));
        });
        app.get("/api/runs", ctx -> {
            RunsPage.Query q = RunsPage.Query.parse(ctx::queryParam, ctx.queryParamMap().keySet());
            json(ctx, api.runs(RunsPage.read(dashboard.runs(), q)));
        });
        app.get("/metrics", ctx -> {
            if (metrics == null) {
                ctx.status(503).contentType("text/plain; charset=utf-8")
                        .result("/metrics is not available in this build: no metrics source is connected to the dashboard\n");
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.write(out);
            ctx.contentType(metrics.contentType()).result(out.toByteArray());
        });
        app.exception(BadRequest.class, (e, ctx) -> error(ctx, api, 400, e.getMessage()));
        app.exception(NotFound.class, (e, ctx) -> error(ctx, api, 404, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("dashboard: {} {} failed: {}", ctx.method(), ctx.path(), e.toString(), e);
            error(ctx, api, 500, "internal error: " + e.getMessage());
        });
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) { // not a 404 of ours (no such file): no route matched
                error(ctx, api, 404, "no such page: " + ctx.path());
            }
        });
        try {
            app.start(listen.host(), listen.port());
        } catch (JavalinBindException | IllegalStateException e) {
            try {
                app.stop();
            } catch (RuntimeException ignored) {
                // nothing was started
            }
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            if (dashboard != null) {
                dashboard.close();
            }
            throw new WebServerException("cannot listen on " + listen + ": " + why, e);
        }
        Listen bound = new Listen(listen.host(), app.port());
        return new WebServer(app, bound, dashboard);
    }

    /** Where it listens (the real port when 0 was asked for). */
    public Listen listen() {
        return listen;
    }

    /** The address to give a browser. */
    public String url() {
        return "http://" + listen + "/";
    }

    @Override
    public void close() {
        app.stop();
        dashboard.close();
        log.info("dashboard at {} stopped", url());
    }

    private static long id(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            long id = Long.parseLong(raw);
            if (id <= 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new BadRequest("'" + raw + "' is not a file id (a positive whole number)");
        }
    }

    private static void html(Context ctx, String page) {
        ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-store").result(page);
    }

    private static void json(Context ctx, String doc) {
        ctx.contentType("application/json; charset=utf-8").header("Cache-Control", "no-store").result(doc);
    }

    /** Set on a request whose error this class wrote. */
    private static final String ANSWERED = "migdal-dm.error";

    private static void error(Context ctx, Api api, int status, String message) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(status);
        if (ctx.path().startsWith("/api/")) {
            json(ctx, api.error(message));
        } else {
            html(ctx, Html.page("Error " + status, "<section><h2>Error " + status + "</h2><p id=\"error\">" + Html.esc(message)
                    + "</p><p><a href=\"/\">overview</a></p></section>"));
        }
    }
}
