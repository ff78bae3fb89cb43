package searchapp.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugin.analysis.icu.AnalysisICUPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM, with plugins loaded from the classpath (the way
 * org.opensearch.node.MockNode does in OpenSearch's test framework): Netty4 (HTTP + transport),
 * analysis-common and analysis-icu. Only for tests and local development: in-process nodes skip
 * the production bootstrap checks (vm.max_map_count, heap size, ...) and run without a security
 * manager.
 *
 * Usage: EmbeddedNode --name n1 --http-port 9200 --transport-port 9300
 *          --seed 127.0.0.1:9300,127.0.0.1:9301 --initial-managers n1,n2 --data DIR --cluster NAME
 *          [--host 127.0.0.1] [--parent-pid PID] [--setting key=value ...]
 *
 * With --parent-pid the node shuts down (cleanly, through the shutdown hook) when that process
 * ends, so that a test runner killed with -9 leaves no orphaned node behind.
 *
 * Prints a line "EMBEDDED-NODE STARTED name=... http=... transport=..." to stdout once the node
 * is started. Stops cleanly on SIGTERM/SIGINT (a JVM shutdown hook closes the node).
 */
public final class EmbeddedNode {

    /** Node subclass only to reach the protected constructor that takes classpath plugins. */
    static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(environment, classpathPlugins, true);
        }
    }

    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class, CommonAnalysisPlugin.class, AnalysisICUPlugin.class);

    private EmbeddedNode() {}

    private static void usage(String message) {
        System.err.println("EmbeddedNode: " + message);
        System.err.println("usage: EmbeddedNode --name N --http-port P --transport-port T --seed H:T,H:T "
            + "--initial-managers N1,N2 --data DIR --cluster NAME [--host 127.0.0.1] [--parent-pid PID] "
            + "[--setting k=v]...");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                usage("bad argument " + a);
            }
            String v = args[++i];
            if (a.equals("--setting")) {
                extra.add(v);
            } else {
                opts.put(a.substring(2), v);
            }
        }
        for (String required : new String[] {"name", "http-port", "transport-port", "data", "cluster"}) {
            if (!opts.containsKey(required)) {
                usage("missing --" + required);
            }
        }
        String name = opts.get("name");
        System.setProperty("opensearch.node.name", name);
        Path home = Paths.get(opts.get("data")).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("modules"));

        Settings.Builder b = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", opts.get("cluster"))
            .put("node.name", name)
            .put("network.host", opts.getOrDefault("host", "127.0.0.1"))
            .put("http.port", opts.get("http-port"))
            .put("transport.port", opts.get("transport-port"))
            // Tests run in temp dirs on shared disks: never refuse to allocate shards for disk space.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("bootstrap.memory_lock", false);
        String seed = opts.get("seed");
        if (seed != null && !seed.isEmpty()) {
            b.putList("discovery.seed_hosts", Arrays.asList(seed.split(",")));
        }
        String managers = opts.get("initial-managers");
        if (managers != null && !managers.isEmpty()) {
            b.putList("cluster.initial_cluster_manager_nodes", Arrays.asList(managers.split(",")));
        } else if (seed == null || seed.isEmpty()) {
            b.put("discovery.type", "single-node");
        }
        for (String kv : extra) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                usage("bad --setting " + kv + " (want key=value)");
            }
            b.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Settings settings = b.build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), home.resolve("config"), () -> name);

        final Node node = new PluginNode(env, PLUGINS);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    System.err.println("EmbeddedNode: node did not close within 20 s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                System.out.println("EMBEDDED-NODE STOPPED name=" + name);
                System.out.flush();
                stopped.countDown();
                // log4j's own shutdown hook is disabled (-Dlog4j.shutdownHookEnabled=false) so that
                // the node can log while closing; stop it last.
                org.apache.logging.log4j.LogManager.shutdown();
            }
        }, "embedded-node-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            System.err.println("EmbeddedNode: failed to start node " + name + ": " + t);
            t.printStackTrace();
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        System.out.println("EMBEDDED-NODE STARTED name=" + name
            + " http=" + opts.getOrDefault("host", "127.0.0.1") + ":" + opts.get("http-port")
            + " transport=" + opts.getOrDefault("host", "127.0.0.1") + ":" + opts.get("transport-port"));
        System.out.flush();
        String parent = opts.get("parent-pid");
        if (parent != null) {
            ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(
                h -> h.onExit().thenRun(() -> {
                    System.out.println("EmbeddedNode: parent process " + parent + " ended, stopping");
                    System.exit(0);
                }),
                () -> System.exit(0));
        }
        stopped.await();
    }
}
