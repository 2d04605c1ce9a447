package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the JMH micro-benchmarks of this module in their own JVM and keeps the figures that matter. */
final class Jmh {
    private Jmh() {
    }

    static ObjectNode run(String java, Path benchmarksJar, Path work, List<String> jmhArgs) throws Exception {
        Path json = work.resolve("jmh.json");
        Files.deleteIfExists(json);
        List<String> cmd = new ArrayList<>(List.of(java, "-Dio.netty.leakDetection.level=disabled", "-jar",
                benchmarksJar.toString()));
        cmd.addAll(jmhArgs);
        cmd.addAll(List.of("-rf", "json", "-rff", json.toString(), "io\\.kimi\\..*Benchmark.*"));
        Child child = Child.start("jmh", cmd, Map.of(), work.resolve("logs").resolve("jmh.log"));
        int exit = child.await(3600);
        if (!Files.exists(json)) {
            throw new IllegalStateException("JMH wrote no results (exit " + exit + "); see " + child.log());
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("command", String.join(" ", cmd));
        ArrayNode rows = result.putArray("rows");
        for (JsonNode b : Json.read(json)) {
            ObjectNode r = rows.addObject();
            String name = b.path("benchmark").asText();
            r.put("benchmark", name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
            r.put("mode", b.path("mode").asText());
            r.set("params", b.path("params"));
            JsonNode m = b.path("primaryMetric");
            r.put("score", m.path("score").asDouble());
            r.put("error", m.path("scoreError").asDouble());
            r.put("unit", m.path("scoreUnit").asText());
        }
        return result;
    }
}
