package io.kimi.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A realistic tool-heavy coding-agent conversation, as the OpenAI chat {@code messages} array an IDE agent
 * sends: a system prompt, then turns in which the user asks for something, the assistant calls tools
 * ({@code read_file}, {@code run_tests}, {@code grep}, {@code list_dir}, {@code write_file}) with JSON
 * arguments, the tools answer with large outputs (Java and Python sources of a few hundred lines, Maven and
 * pytest logs with stack traces, grep hits, directory listings), and the assistant replies in prose. Some
 * turns have the user paste console output.
 *
 * <p>The content is generated from a fictional but consistent project ({@code orders-service}): a file read
 * twice has the same text, grep hits are real lines of the generated sources, stack traces name its classes.
 * Deterministic: the same turns and seed give the same messages on every JVM. About 3,300 to 4,400 tokens per
 * turn in cl100k_base, depending on the seed: 60 turns come to 200k-265k tokens (215k and about 300 messages
 * for seed 42), most tool outputs between 1k and 8k tokens, a full build log up to about 20k.
 */
public final class ToolHeavyConversation {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ToolHeavyConversation() {}

  /**
   * The conversation's messages.
   *
   * @param turns user turns, at least 1 (each adds a user message, one to three assistant tool-call rounds
   *     with their results, and an assistant reply)
   * @param seed the same seed gives the same conversation
   */
  public static ArrayNode messages(int turns, long seed) {
    if (turns < 1) {
      throw new IllegalArgumentException("turns: " + turns + " (expected: >= 1)");
    }
    return new Generator(seed).conversation(turns);
  }

  /** The conversation's messages as compact JSON text. */
  public static String messagesJson(int turns, long seed) {
    return messages(turns, seed).toString();
  }

  // ---------------------------------------------------------------------------------------------------
  // The conversation

  private static final class Generator {
    private final Random rnd;
    private final Project project;
    private final ArrayNode messages = NODES.arrayNode();

    Generator(long seed) {
      this.rnd = new Random(seed);
      this.project = new Project(seed);
    }

    ArrayNode conversation(int turns) {
      messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
      for (int t = 0; t < turns; t++) {
        turn(t);
      }
      return messages;
    }

    private void turn(int t) {
      SourceFile focus = project.pick(rnd);
      SourceFile other = project.pick(rnd);
      String method = focus.methods.isEmpty() ? "apply" : pick(focus.methods);
      if (rnd.nextInt(8) == 0) {
        pastedConsoleTurn(focus, method);
        return;
      }
      String ask = fill(pick(USER_ASKS), focus, other, method);
      messages.addObject().put("role", "user").put("content", ask);
      int rounds = 1 + (rnd.nextInt(10) < 7 ? 0 : 1);
      for (int r = 0; r < rounds; r++) {
        List<Call> calls = new ArrayList<>();
        calls.add(firstCall(r, focus, other, method));
        if (rnd.nextInt(4) == 0) {
          calls.add(secondCall(focus, other, method));
        }
        assistantCalls(r == 0 && rnd.nextBoolean() ? fill(pick(THINKING), focus, other, method) : null, calls);
      }
      messages.addObject().put("role", "assistant")
          .put("content", reply(focus, other, method));
    }

    private void pastedConsoleTurn(SourceFile focus, String method) {
      String log = project.mavenLog(rnd, focus, method, false);
      messages.addObject().put("role", "user").put("content",
          "$ mvn -q test -pl orders-service\n" + log);
      messages.addObject().put("role", "user").put("content",
          "That's what I get locally after pulling main. Any idea what broke "
              + focus.className + "." + method + "?");
      Call read = new Call("read_file", args("path", focus.path), project.readFile(rnd, focus));
      assistantCalls(null, List.of(read));
      messages.addObject().put("role", "assistant")
          .put("content", reply(focus, project.pick(rnd), method));
    }

    private Call firstCall(int round, SourceFile focus, SourceFile other, String method) {
      int kind = rnd.nextInt(round == 0 ? 10 : 12);
      if (kind < 4) {
        return new Call("read_file", args("path", focus.path), project.readFile(rnd, focus));
      }
      if (kind < 6) {
        return runTests(focus, method);
      }
      if (kind < 8) {
        String term = rnd.nextBoolean() ? method : focus.className;
        return new Call("grep", args("pattern", term, "path", "src"), project.grep(term));
      }
      if (kind < 9) {
        return new Call("list_dir", args("path", focus.dir(), "recursive", "true"), project.listDir(focus.dir()));
      }
      if (kind < 10) {
        return new Call("read_file", args("path", other.path), project.readFile(rnd, other));
      }
      return writeFile(focus, method);
    }

    private Call secondCall(SourceFile focus, SourceFile other, String method) {
      return switch (rnd.nextInt(4)) {
        case 0 -> new Call("read_file", args("path", other.path), project.readFile(rnd, other));
        case 1 -> runTests(other, method);
        case 2 -> {
          String term = "requireNonNull(" + lowerFirst(focus.noun);
          yield new Call("grep", args("pattern", term, "path", "src"), project.grep(term));
        }
        default -> writeFile(focus, method);
      };
    }

    private Call runTests(SourceFile focus, String method) {
      if (rnd.nextInt(5) == 0) {
        String test = project.pythonTest(rnd);
        return new Call("run_tests", args("command", "pytest -q " + test, "cwd", "tools"),
            project.pytestLog(rnd, test));
      }
      boolean full = rnd.nextInt(14) == 0;
      String command = full ? "mvn -e test" : "mvn -q test -Dtest=" + focus.className + "Test";
      return new Call("run_tests", args("command", command, "timeout_seconds", "600"),
          project.mavenLog(rnd, focus, method, full));
    }

    private Call writeFile(SourceFile focus, String method) {
      String content = project.source(focus) + "\n// " + method + ": handle the empty case first\n";
      ObjectNode a = NODES.objectNode().put("path", focus.path).put("content", content);
      return new Call("write_file", a.toString(),
          "Wrote " + content.length() + " bytes to " + focus.path + " (" + lineCount(content) + " lines).");
    }

    private void assistantCalls(String thinking, List<Call> calls) {
      ObjectNode assistant = messages.addObject().put("role", "assistant");
      if (thinking == null) {
        assistant.putNull("content");
      } else {
        assistant.put("content", thinking);
      }
      ArrayNode toolCalls = assistant.putArray("tool_calls");
      List<String> ids = new ArrayList<>();
      for (Call call : calls) {
        String id = "call_" + alnum(24);
        ids.add(id);
        ObjectNode tc = toolCalls.addObject().put("id", id).put("type", "function");
        tc.putObject("function").put("name", call.name).put("arguments", call.arguments);
      }
      for (int i = 0; i < calls.size(); i++) {
        messages.addObject().put("role", "tool").put("tool_call_id", ids.get(i))
            .put("content", calls.get(i).result);
      }
    }

    private String reply(SourceFile focus, SourceFile other, String method) {
      StringBuilder sb = new StringBuilder();
      sb.append(fill(pick(REPLY_OPENINGS), focus, other, method)).append("\n\n");
      int points = 2 + rnd.nextInt(3);
      for (int i = 1; i <= points; i++) {
        sb.append(i).append(". ").append(fill(pick(REPLY_POINTS), focus, other, method)).append('\n');
      }
      if (rnd.nextBoolean()) {
        sb.append("\nThe change:\n\n```java\n").append(project.snippet(focus, method)).append("```\n");
      }
      sb.append('\n').append(fill(pick(REPLY_CLOSINGS), focus, other, method));
      return sb.toString();
    }

    private String fill(String template, SourceFile focus, SourceFile other, String method) {
      return template.replace("{Class}", focus.className).replace("{Other}", other.className)
          .replace("{method}", method).replace("{path}", focus.path).replace("{noun}", lowerFirst(focus.noun))
          .replace("{n}", Integer.toString(2 + rnd.nextInt(9)));
    }

    private String alnum(int n) {
      String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(chars.charAt(rnd.nextInt(chars.length())));
      }
      return sb.toString();
    }

    private <T> T pick(List<T> items) {
      return items.get(rnd.nextInt(items.size()));
    }

    private String pick(String[] items) {
      return items[rnd.nextInt(items.length)];
    }
  }

  private record Call(String name, String arguments, String result) {}

  private static String args(String... keysAndValues) {
    ObjectNode a = NODES.objectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String value = keysAndValues[i + 1];
      if (value.equals("true") || value.equals("false")) {
        a.put(keysAndValues[i], Boolean.parseBoolean(value));
      } else if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
        a.put(keysAndValues[i], Integer.parseInt(value));
      } else {
        a.put(keysAndValues[i], value);
      }
    }
    return a.toString();
  }

  private static int lineCount(String text) {
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static String lowerFirst(String s) {
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  // ---------------------------------------------------------------------------------------------------
  // The fictional project the agent works on

  private static final class SourceFile {
    final String noun;
    final String suffix;
    final String className;
    final String pkg;
    final String path;
    final long seed;
    final List<String> methods = new ArrayList<>();

    SourceFile(String noun, String suffix, String pkg, long seed) {
      this.noun = noun;
      this.suffix = suffix;
      this.className = noun + suffix;
      this.pkg = pkg;
      this.path = "src/main/java/io/acme/orders/" + pkg + "/" + className + ".java";
      this.seed = seed;
    }

    String dir() {
      return path.substring(0, path.lastIndexOf('/'));
    }
  }

  private static final class Project {
    private final List<SourceFile> files = new ArrayList<>();
    private final Map<String, String> sources = new LinkedHashMap<>();

    Project(long seed) {
      Random r = new Random(seed ^ 0x5DEECE66DL);
      int k = 0;
      for (String noun : NOUNS) {
        String suffix = SUFFIXES[r.nextInt(SUFFIXES.length)];
        String pkg = PACKAGES[Math.floorMod(noun.hashCode() + suffix.hashCode(), PACKAGES.length)];
        files.add(new SourceFile(noun, suffix, pkg, seed * 31 + k++));
        if (r.nextBoolean()) {
          String second = SUFFIXES[r.nextInt(SUFFIXES.length)];
          if (!second.equals(suffix)) {
            files.add(new SourceFile(noun, second, PACKAGES[r.nextInt(PACKAGES.length)], seed * 31 + k++));
          }
        }
      }
      for (SourceFile f : files) {
        sources.put(f.path, renderJava(f));
      }
    }

    SourceFile pick(Random rnd) {
      return files.get(rnd.nextInt(files.size()));
    }

    String source(SourceFile f) {
      return sources.get(f.path);
    }

    String readFile(Random rnd, SourceFile f) {
      String text = source(f);
      if (rnd.nextInt(3) > 0) {
        return text;
      }
      StringBuilder sb = new StringBuilder(text.length() + text.length() / 8);
      int n = 1;
      for (String line : text.split("\n", -1)) {
        sb.append(String.format(Locale.ROOT, "%6d\t%s%n", n++, line));
      }
      return sb.toString();
    }

    String grep(String term) {
      StringBuilder sb = new StringBuilder();
      int hits = 0;
      for (Map.Entry<String, String> e : sources.entrySet()) {
        String[] lines = e.getValue().split("\n", -1);
        for (int i = 0; i < lines.length && hits < 600; i++) {
          if (lines[i].contains(term)) {
            sb.append(e.getKey()).append(':').append(i + 1).append(':').append(lines[i]).append('\n');
            hits++;
          }
        }
      }
      if (hits == 0) {
        return "No matches for '" + term + "' in src.";
      }
      return sb.append(hits >= 600 ? "(output truncated at 600 matches)\n" : "").toString();
    }

    String listDir(String dir) {
      StringBuilder sb = new StringBuilder();
      sb.append(dir).append('/').append('\n');
      for (Map.Entry<String, String> e : sources.entrySet()) {
        String path = e.getKey();
        if (path.startsWith("src/main/java/io/acme/orders/")) {
          sb.append(String.format(Locale.ROOT, "  %-72s %7d bytes%n",
              path.substring("src/main/java/io/acme/orders/".length()), e.getValue().length()));
        }
      }
      return sb.toString();
    }

    String snippet(SourceFile f, String method) {
      String noun = lowerFirst(f.noun);
      return "    public Optional<" + f.noun + "> " + method + "(String " + noun + "Id) {\n"
          + "        requireNonNull(" + noun + "Id, \"" + noun + "Id\");\n"
          + "        if (" + noun + "Id.isBlank()) {\n"
          + "            return Optional.empty();\n"
          + "        }\n"
          + "        return repository.findById(" + noun + "Id)\n"
          + "                .filter(found -> found.status() != Status.ARCHIVED)\n"
          + "                .map(found -> found.withCheckedAt(clock.instant()));\n"
          + "    }\n";
    }

    String pythonTest(Random rnd) {
      return "tests/" + PYTHON_TESTS[rnd.nextInt(PYTHON_TESTS.length)];
    }

    // ---- Java sources ----

    private String renderJava(SourceFile f) {
      Random r = new Random(f.seed);
      String noun = f.noun;
      String n = lowerFirst(noun);
      List<String> deps = new ArrayList<>();
      for (int i = 0; i < 2 + r.nextInt(3); i++) {
        String dep = NOUNS[r.nextInt(NOUNS.length)] + SUFFIXES[r.nextInt(SUFFIXES.length)];
        if (!dep.equals(f.className) && !deps.contains(dep)) {
          deps.add(dep);
        }
      }
      StringBuilder sb = new StringBuilder(16_000);
      sb.append("package io.acme.orders.").append(f.pkg).append(";\n\n");
      sb.append("import static java.util.Objects.requireNonNull;\n\n");
      for (String imp : IMPORTS) {
        if (r.nextInt(5) > 0) {
          sb.append("import ").append(imp).append(";\n");
        }
      }
      sb.append("import io.acme.orders.domain.").append(noun).append(";\n");
      sb.append("import io.acme.orders.domain.Status;\n");
      sb.append("import org.slf4j.Logger;\nimport org.slf4j.LoggerFactory;\n\n");
      sb.append("/**\n");
      sb.append(" * ").append(sentence(r, f)).append(' ').append(sentence(r, f)).append('\n');
      sb.append(" *\n * <p>").append(sentence(r, f)).append(" Thread-safe.\n */\n");
      sb.append("public final class ").append(f.className).append(" {\n");
      sb.append("    private static final Logger log = LoggerFactory.getLogger(")
          .append(f.className).append(".class);\n");
      sb.append("    private static final int MAX_BATCH_SIZE = ").append(50 + r.nextInt(450)).append(";\n");
      sb.append("    private static final Duration RETRY_BACKOFF = Duration.ofMillis(")
          .append(100 + r.nextInt(900)).append(");\n\n");
      for (String dep : deps) {
        sb.append("    private final ").append(dep).append(' ').append(lowerFirst(dep)).append(";\n");
      }
      sb.append("    private final Clock clock;\n");
      sb.append("    private final Map<String, ").append(noun).append("> pending = new ConcurrentHashMap<>();\n");
      sb.append("    private final AtomicLong processedCount = new AtomicLong();\n\n");
      sb.append("    public ").append(f.className).append('(');
      for (String dep : deps) {
        sb.append(dep).append(' ').append(lowerFirst(dep)).append(", ");
      }
      sb.append("Clock clock) {\n");
      for (String dep : deps) {
        String d = lowerFirst(dep);
        sb.append("        this.").append(d).append(" = requireNonNull(").append(d).append(", \"").append(d)
            .append("\");\n");
      }
      sb.append("        this.clock = requireNonNull(clock, \"clock\");\n    }\n");
      String repo = lowerFirst(deps.get(0));
      int methods = r.nextInt(6) == 0 ? 30 + r.nextInt(25) : 6 + r.nextInt(18); // a few large classes
      for (int i = 0; i < methods; i++) {
        String other = NOUNS[r.nextInt(NOUNS.length)];
        String name = methodName(r, noun, other, f.methods);
        f.methods.add(name);
        sb.append('\n').append(renderMethod(r, r.nextInt(METHOD_KINDS), name, noun, n, other, repo));
      }
      sb.append("\n    @Override\n    public String toString() {\n");
      sb.append("        return \"").append(f.className).append("{pending=\" + pending.size() + \", processed=\"")
          .append(" + processedCount.get() + '}';\n    }\n}\n");
      return sb.toString();
    }

    private static String methodName(Random r, String noun, String other, List<String> used) {
      for (int attempt = 0; attempt < 20; attempt++) {
        String verb = VERBS[r.nextInt(VERBS.length)];
        String name = verb + (r.nextBoolean() ? noun : other) + (attempt > 10 ? attempt : "");
        if (!used.contains(name)) {
          return name;
        }
      }
      return "apply" + noun + used.size();
    }

    private static final int METHOD_KINDS = 8;

    private static String renderMethod(Random r, int kind, String name, String noun, String n, String other,
        String repo) {
      String o = lowerFirst(other);
      StringBuilder sb = new StringBuilder(1200);
      sb.append("    /**\n     * ").append(METHOD_DOCS[kind].replace("{noun}", n).replace("{other}", o))
          .append("\n     */\n");
      switch (kind) {
        case 0 -> sb.append("    public Optional<").append(noun).append("> ").append(name).append("(String ")
            .append(n).append("Id) {\n")
            .append("        requireNonNull(").append(n).append("Id, \"").append(n).append("Id\");\n")
            .append("        ").append(noun).append(" cached = pending.get(").append(n).append("Id);\n")
            .append("        if (cached != null) {\n            return Optional.of(cached);\n        }\n")
            .append("        return ").append(repo).append(".findById(").append(n).append("Id)\n")
            .append("                .filter(").append(n).append(" -> ").append(n)
            .append(".status() != Status.ARCHIVED);\n    }\n");
        case 1 -> sb.append("    public List<").append(noun).append("> ").append(name)
            .append("(int limit, int offset) {\n")
            .append("        if (limit < 1 || limit > MAX_BATCH_SIZE) {\n")
            .append("            throw new IllegalArgumentException(\"limit: \" + limit + \" (expected: 1-\"")
            .append(" + MAX_BATCH_SIZE + \")\");\n        }\n")
            .append("        List<").append(noun).append("> result = new ArrayList<>(limit);\n")
            .append("        for (").append(noun).append(' ').append(n).append(" : ").append(repo)
            .append(".findAll(offset, limit)) {\n")
            .append("            if (").append(n).append(".status() != Status.DELETED) {\n")
            .append("                result.add(").append(n).append(");\n            }\n        }\n")
            .append("        log.debug(\"Listed {} ").append(n).append("s from offset {}\", result.size(), offset);\n")
            .append("        return result;\n    }\n");
        case 2 -> sb.append("    public BigDecimal ").append(name).append("(String ").append(o)
            .append("Id, Instant since) {\n")
            .append("        return ").append(repo).append(".findBy").append(other).append('(').append(o)
            .append("Id).stream()\n")
            .append("                .filter(").append(n).append(" -> ").append(n)
            .append(".createdAt().isAfter(since))\n")
            .append("                .map(").append(noun).append("::amount)\n")
            .append("                .reduce(BigDecimal.ZERO, BigDecimal::add)\n")
            .append("                .setScale(").append(2 + r.nextInt(3)).append(", RoundingMode.HALF_EVEN);\n    }\n");
        case 3 -> sb.append("    public int ").append(name).append("() {\n")
            .append("        int processed = 0;\n        Instant now = clock.instant();\n")
            .append("        for (Iterator<Map.Entry<String, ").append(noun)
            .append(">> it = pending.entrySet().iterator(); it.hasNext(); ) {\n")
            .append("            Map.Entry<String, ").append(noun).append("> entry = it.next();\n")
            .append("            try {\n")
            .append("                ").append(repo).append(".save(entry.getValue().withUpdatedAt(now));\n")
            .append("                it.remove();\n                processed++;\n")
            .append("            } catch (StoreException e) {\n")
            .append("                log.warn(\"Could not save ").append(n)
            .append(" {}; will retry in {}\", entry.getKey(), RETRY_BACKOFF, e);\n")
            .append("            }\n            if (processed >= MAX_BATCH_SIZE) {\n                break;\n")
            .append("            }\n        }\n        processedCount.addAndGet(processed);\n")
            .append("        return processed;\n    }\n");
        case 4 -> sb.append("    static void ").append(name).append('(').append(noun).append(' ').append(n)
            .append(") {\n")
            .append("        if (").append(n).append(".id() == null || ").append(n).append(".id().isBlank()) {\n")
            .append("            throw new ValidationException(\"").append(n).append(".id: missing\");\n")
            .append("        }\n        if (").append(n).append(".amount().signum() < 0) {\n")
            .append("            throw new ValidationException(\"").append(n).append(".amount: \" + ").append(n)
            .append(".amount() + \" (expected: >= 0)\");\n        }\n")
            .append("        if (").append(n).append(".").append(o).append("Id() == null) {\n")
            .append("            throw new ValidationException(\"").append(n).append(".").append(o)
            .append("Id: missing\");\n        }\n    }\n");
        case 5 -> sb.append("    public ").append(noun).append(' ').append(name).append('(').append(noun)
            .append(' ').append(n).append(", Status target) {\n")
            .append("        return switch (").append(n).append(".status()) {\n")
            .append("            case DRAFT -> target == Status.SUBMITTED ? ").append(n)
            .append(".withStatus(target) : reject(").append(n).append(", target);\n")
            .append("            case SUBMITTED -> target == Status.APPROVED || target == Status.REJECTED\n")
            .append("                    ? ").append(n).append(".withStatus(target)\n")
            .append("                    : reject(").append(n).append(", target);\n")
            .append("            case APPROVED -> target == Status.ARCHIVED ? ").append(n)
            .append(".withStatus(target) : reject(").append(n).append(", target);\n")
            .append("            default -> reject(").append(n).append(", target);\n        };\n    }\n");
        case 6 -> sb.append("    public Map<String, List<").append(noun).append(">> ").append(name)
            .append("(Collection<").append(noun).append("> items) {\n")
            .append("        Map<String, List<").append(noun).append(">> byRegion = new TreeMap<>();\n")
            .append("        for (").append(noun).append(" item : items) {\n")
            .append("            byRegion.computeIfAbsent(item.region(), k -> new ArrayList<>()).add(item);\n")
            .append("        }\n        byRegion.values().forEach(list -> list.sort(Comparator.comparing(")
            .append(noun).append("::createdAt)));\n        return byRegion;\n    }\n");
        default -> sb.append("    private <T> T ").append(name).append("(String operation, Supplier<T> call) {\n")
            .append("        int attempt = 0;\n        while (true) {\n            try {\n")
            .append("                return call.get();\n            } catch (TransientStoreException e) {\n")
            .append("                attempt++;\n                if (attempt >= ").append(3 + r.nextInt(4))
            .append(") {\n")
            .append("                    throw new ServiceException(operation + \" failed after \" + attempt")
            .append(" + \" attempts\", e);\n                }\n")
            .append("                log.info(\"{} failed (attempt {}), retrying in {}\", operation, attempt,")
            .append(" RETRY_BACKOFF);\n")
            .append("                sleepQuietly(RETRY_BACKOFF.multipliedBy(attempt));\n")
            .append("            }\n        }\n    }\n");
      }
      return sb.toString();
    }

    private static String sentence(Random r, SourceFile f) {
      return CLASS_DOCS[r.nextInt(CLASS_DOCS.length)].replace("{noun}", lowerFirst(f.noun))
          .replace("{Class}", f.className);
    }

    // ---- logs ----

    String mavenLog(Random rnd, SourceFile focus, String method, boolean full) {
      StringBuilder sb = new StringBuilder(24_000);
      sb.append("[INFO] Scanning for projects...\n[INFO]\n")
          .append("[INFO] ----------------------< io.acme:orders-service >-----------------------\n")
          .append("[INFO] Building orders-service 1.4.0-SNAPSHOT\n")
          .append("[INFO] --------------------------------[ jar ]---------------------------------\n");
      if (full) {
        for (String plugin : MAVEN_PLUGINS) {
          sb.append("[INFO]\n[INFO] --- ").append(plugin).append(" @ orders-service ---\n");
          if (plugin.startsWith("maven-compiler")) {
            sb.append("[INFO] Changes detected - recompiling the module! :dependency\n")
                .append("[INFO] Compiling ").append(files.size() + 57).append(" source files with javac [debug release 17] to target/classes\n");
            for (SourceFile f : files) {
              if (rnd.nextInt(4) == 0) {
                sb.append("[WARNING] /workspace/orders-service/").append(f.path).append(":[")
                    .append(20 + rnd.nextInt(200)).append(',').append(9 + rnd.nextInt(40))
                    .append("] [deprecation] getAmount() in ").append(f.noun)
                    .append(" has been deprecated and marked for removal\n");
              }
            }
          }
        }
      }
      sb.append("[INFO]\n[INFO] -------------------------------------------------------\n")
          .append("[INFO]  T E S T S\n[INFO] -------------------------------------------------------\n");
      int classes = full ? files.size() : 1;
      int failures = 0;
      int totalRun = 0;
      List<String> failed = new ArrayList<>();
      for (int c = 0; c < classes; c++) {
        SourceFile f = full ? files.get(c) : focus;
        String test = "io.acme.orders." + f.pkg + "." + f.className + "Test";
        int run = 4 + rnd.nextInt(20);
        int failing = f == focus ? 1 + rnd.nextInt(2) : rnd.nextInt(12) == 0 ? 1 : 0;
        totalRun += run;
        failures += failing;
        sb.append("[INFO] Running ").append(test).append('\n');
        if (full) {
          testLogLines(sb, rnd, f);
        }
        String time = String.format(Locale.ROOT, "%.3f", 0.05 + rnd.nextDouble() * 3);
        if (failing == 0) {
          sb.append("[INFO] Tests run: ").append(run).append(", Failures: 0, Errors: 0, Skipped: 0, Time elapsed: ")
              .append(time).append(" s - in ").append(test).append('\n');
          continue;
        }
        sb.append("[ERROR] Tests run: ").append(run).append(", Failures: ").append(failing)
            .append(", Errors: 0, Skipped: 0, Time elapsed: ").append(time).append(" s <<< FAILURE! - in ")
            .append(test).append('\n');
        for (int k = 0; k < failing; k++) {
          String testMethod = f == focus && k == 0 ? method + "ReturnsEmptyForUnknownId"
              : lowerFirst(f.noun) + TEST_METHOD_ENDINGS[rnd.nextInt(TEST_METHOD_ENDINGS.length)];
          failed.add(f.className + "Test." + testMethod);
          sb.append("[ERROR] ").append(test).append('.').append(testMethod).append("  Time elapsed: ")
              .append(String.format(Locale.ROOT, "%.3f", rnd.nextDouble() / 4)).append(" s  <<< FAILURE!\n");
          stackTrace(sb, rnd, f, testMethod);
        }
      }
      sb.append("[INFO]\n[INFO] Results:\n[INFO]\n[ERROR] Failures: \n");
      for (String t : failed) {
        sb.append("[ERROR]   ").append(t).append(":").append(40 + rnd.nextInt(300))
            .append(" expected: <3> but was: <2>\n");
      }
      sb.append("[INFO]\n[ERROR] Tests run: ").append(totalRun).append(", Failures: ").append(failures)
          .append(", Errors: 0, Skipped: ").append(rnd.nextInt(3)).append("\n[INFO]\n")
          .append("[INFO] ------------------------------------------------------------------------\n")
          .append("[INFO] BUILD FAILURE\n")
          .append("[INFO] ------------------------------------------------------------------------\n")
          .append("[INFO] Total time:  ").append(String.format(Locale.ROOT, "%.3f", 4 + rnd.nextDouble() * 60))
          .append(" s\n[INFO] Finished at: 2024-05-14T10:")
          .append(String.format(Locale.ROOT, "%02d:%02d", rnd.nextInt(60), rnd.nextInt(60)))
          .append("+02:00\n")
          .append("[INFO] ------------------------------------------------------------------------\n")
          .append("[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test ")
          .append("(default-test) on project orders-service: There are test failures.\n[ERROR]\n")
          .append("[ERROR] Please refer to /workspace/orders-service/target/surefire-reports for the individual ")
          .append("test results.\n[ERROR] Please refer to dump files (if any exist) [date].dump, ")
          .append("[date]-jvmRun[N].dump and [date].dumpstream.\n");
      if (full) {
        sb.append("[ERROR] -> [Help 1]\norg.apache.maven.lifecycle.LifecycleExecutionException: Failed to execute ")
            .append("goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test (default-test) on project ")
            .append("orders-service: There are test failures.\n");
        for (String frame : MAVEN_FRAMES) {
          sb.append("    at ").append(frame).append('\n');
        }
      }
      return sb.toString();
    }

    /** What the tests of one class log while they run, as Maven shows it without {@code -q}. */
    private static void testLogLines(StringBuilder sb, Random rnd, SourceFile f) {
      String logger = "io.acme.orders." + f.pkg + "." + f.className;
      String n = lowerFirst(f.noun);
      int lines = 3 + rnd.nextInt(12);
      for (int i = 0; i < lines; i++) {
        sb.append(String.format(Locale.ROOT, "10:%02d:%02d.%03d [main] ", 14 + i / 60, i % 60, rnd.nextInt(1000)));
        switch (rnd.nextInt(5)) {
          case 0 -> sb.append("DEBUG ").append(logger).append(" - Listed ").append(rnd.nextInt(250)).append(' ')
              .append(n).append("s from offset ").append(rnd.nextInt(20) * 50).append('\n');
          case 1 -> sb.append("INFO  ").append(logger).append(" - ").append(n).append(" ")
              .append(UUID_PARTS[rnd.nextInt(UUID_PARTS.length)]).append('-').append(1000 + rnd.nextInt(9000))
              .append(" moved from SUBMITTED to APPROVED\n");
          case 2 -> sb.append("WARN  ").append(logger).append(" - Could not save ").append(n).append(' ')
              .append(UUID_PARTS[rnd.nextInt(UUID_PARTS.length)]).append("; will retry in PT0.")
              .append(1 + rnd.nextInt(9)).append("S\nio.acme.orders.store.TransientStoreException: ")
              .append("database is locked (SQLITE_BUSY)\n\tat io.acme.orders.store.JdbcStore.save(JdbcStore.java:")
              .append(80 + rnd.nextInt(40)).append(")\n\tat ").append(logger).append(".save(")
              .append(f.className).append(".java:").append(60 + rnd.nextInt(300)).append(")\n");
          case 3 -> sb.append("DEBUG com.zaxxer.hikari.pool.HikariPool - orders-pool - Pool stats (total=10, active=")
              .append(rnd.nextInt(10)).append(", idle=").append(rnd.nextInt(10)).append(", waiting=0)\n");
          default -> sb.append("INFO  ").append(logger).append(" - Processed ").append(rnd.nextInt(500))
              .append(" pending ").append(n).append("s in ").append(rnd.nextInt(900)).append(" ms\n");
        }
      }
    }

    private void stackTrace(StringBuilder sb, Random rnd, SourceFile f, String testMethod) {
      sb.append("org.opentest4j.AssertionFailedError: \nexpected: ").append(rnd.nextInt(5))
          .append("\n but was: ").append(5 + rnd.nextInt(5)).append('\n');
      sb.append("\tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)\n")
          .append("\tat org.junit.jupiter.api.AssertionFailureBuilder.buildAndThrow(AssertionFailureBuilder.java:132)\n")
          .append("\tat org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)\n")
          .append("\tat org.junit.jupiter.api.AssertEquals.assertEquals(AssertEquals.java:150)\n");
      String m = f.methods.isEmpty() ? "apply" : f.methods.get(rnd.nextInt(f.methods.size()));
      sb.append("\tat io.acme.orders.").append(f.pkg).append('.').append(f.className).append('.').append(m)
          .append('(').append(f.className).append(".java:").append(40 + rnd.nextInt(400)).append(")\n");
      sb.append("\tat io.acme.orders.").append(f.pkg).append('.').append(f.className).append("Test.")
          .append(testMethod).append('(').append(f.className).append("Test.java:").append(30 + rnd.nextInt(300))
          .append(")\n");
      for (String frame : JUNIT_FRAMES) {
        sb.append("\tat ").append(frame).append('\n');
      }
      sb.append('\n');
    }

    String pytestLog(Random rnd, String test) {
      StringBuilder sb = new StringBuilder(8_000);
      int items = 40 + rnd.nextInt(160);
      sb.append("============================= test session starts ==============================\n")
          .append("platform linux -- Python 3.11.6, pytest-7.4.3, pluggy-1.3.0\n")
          .append("rootdir: /workspace/orders-service/tools\nconfigfile: pyproject.toml\n")
          .append("plugins: cov-4.1.0, mock-3.12.0\ncollected ").append(items).append(" items\n\n");
      int done = 0;
      for (String py : PYTHON_TESTS) {
        int count = Math.max(1, items / PYTHON_TESTS.length);
        done += count;
        StringBuilder dots = new StringBuilder();
        for (int i = 0; i < count; i++) {
          dots.append(("tests/" + py).equals(test) && i == count / 2 ? 'F' : '.');
        }
        sb.append(String.format(Locale.ROOT, "tests/%s %s%" + Math.max(1, 60 - py.length() - count) + "s[%3d%%]%n",
            py, dots, "", Math.min(100, done * 100 / items)));
      }
      String fn = "test_" + PY_NAMES[rnd.nextInt(PY_NAMES.length)];
      sb.append("\n=================================== FAILURES ===================================\n")
          .append("_________________________________ ").append(fn).append(" _________________________________\n\n")
          .append("    def ").append(fn).append("():\n")
          .append("        rows = load_fixture(\"orders_2024_q1.csv\")\n")
          .append("        report = build_latency_report(rows, bucket_ms=250)\n")
          .append(">       assert report.p95 == Decimal(\"812.50\")\n")
          .append("E       AssertionError: assert Decimal('812.25') == Decimal('812.50')\n")
          .append("E        +  where Decimal('812.25') = LatencyReport(p50=Decimal('310.00'), ")
          .append("p95=Decimal('812.25'), p99=Decimal('1490.75'), count=4812).p95\n\n")
          .append(test).append(":").append(20 + rnd.nextInt(200)).append(": AssertionError\n")
          .append("----------------------------- Captured log call ------------------------------\n");
      for (int i = 0; i < 6 + rnd.nextInt(20); i++) {
        sb.append("DEBUG    tools.report:report.py:").append(40 + rnd.nextInt(200))
            .append(" bucket ").append(i * 250).append("-").append(i * 250 + 249).append(" ms: ")
            .append(rnd.nextInt(900)).append(" rows\n");
      }
      sb.append("=========================== short test summary info ============================\n")
          .append("FAILED ").append(test).append("::").append(fn)
          .append(" - AssertionError: assert Decimal('812.25') == Decimal('812.50')\n")
          .append("========================= 1 failed, ").append(items - 1).append(" passed in ")
          .append(String.format(Locale.ROOT, "%.2f", 1 + rnd.nextDouble() * 9)).append("s =========================\n");
      return sb.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Vocabulary

  private static final String SYSTEM_PROMPT = """
      You are Orion, an autonomous coding agent working inside the user's repository at /workspace/orders-service.
      You can call these tools:
      - read_file(path): returns the file's text.
      - write_file(path, content): replaces the file's text; always write the whole file.
      - list_dir(path, recursive): lists files with their sizes.
      - grep(pattern, path): searches file contents; returns path:line:text for each match.
      - run_tests(command, cwd?, timeout_seconds?): runs a test command and returns its output.

      Rules:
      1. Read before you write. Never guess at the contents of a file you have not read in this session.
      2. Keep changes minimal and in the style of the surrounding code (Java 17, 4-space indentation, records for
         data, constructor injection, requireNonNull on every parameter of a public method).
      3. After every change, run the narrowest test command that covers it; run the whole suite before you say
         you are done.
      4. When a test fails, read the stack trace carefully and find the root cause; do not weaken assertions.
      5. Explain what you changed and why in a short summary at the end, listing the files you touched.
      6. Never commit, push or change git configuration. Never print secrets from configuration files.
      The project uses Maven (mvn -q test -Dtest=ClassName to run one test class) and pytest for tools/.
      """;

  private static final String[] NOUNS = {
    "Order", "Invoice", "Customer", "Payment", "Shipment", "Refund", "Cart", "Discount", "Coupon", "Inventory",
    "Warehouse", "Carrier", "Address", "LineItem", "TaxRule", "PriceList", "Subscription", "Ledger",
    "Notification", "AuditEntry"
  };

  private static final String[] SUFFIXES = {
    "Service", "Repository", "Validator", "Mapper", "Calculator", "Scheduler", "Client", "Policy", "Exporter"
  };

  private static final String[] UUID_PARTS = {"ord", "inv", "cus", "pay", "shp", "ref", "crt", "dsc"};

  private static final String[] PACKAGES = {"api", "service", "store", "pricing", "billing", "shipping"};

  private static final String[] VERBS = {
    "find", "load", "resolve", "apply", "compute", "refresh", "cancel", "archive", "validate", "schedule",
    "export", "reconcile", "merge", "split", "expire", "recalculate", "submit", "approve", "lookup", "sync"
  };

  private static final String[] IMPORTS = {
    "java.math.BigDecimal", "java.math.RoundingMode", "java.time.Clock", "java.time.Duration",
    "java.time.Instant", "java.util.ArrayList", "java.util.Collection", "java.util.Comparator",
    "java.util.Iterator", "java.util.List", "java.util.Map", "java.util.Optional", "java.util.TreeMap",
    "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.atomic.AtomicLong",
    "java.util.function.Supplier", "io.acme.orders.store.StoreException",
    "io.acme.orders.store.TransientStoreException", "io.acme.orders.ServiceException",
    "io.acme.orders.ValidationException"
  };

  private static final String[] CLASS_DOCS = {
    "Keeps {noun} records consistent between the order store and the billing ledger.",
    "Loads, validates and saves {noun} data for the REST layer and the nightly batch jobs.",
    "All writes go through the repository; reads of recently changed {noun}s are served from memory.",
    "Replaces the legacy {Class}Impl, which held a database connection per request.",
    "Failed saves are retried with a fixed backoff and reported to the audit log.",
    "Amounts are BigDecimal with the scale of the currency; rounding is HALF_EVEN everywhere.",
    "Status changes follow the DRAFT, SUBMITTED, APPROVED, ARCHIVED life cycle; anything else is rejected.",
    "Used by the checkout flow, so every public method must answer within the 200 ms request budget."
  };

  private static final String[] METHOD_DOCS = {
    "Returns the {noun} with the given id, or empty when it does not exist or was archived.",
    "Lists {noun}s page by page, skipping deleted ones; {@code limit} is at most MAX_BATCH_SIZE.",
    "Sums the amounts of the {noun}s of one {other} created after {@code since}.",
    "Saves pending {noun}s in one pass; failed saves stay pending and are retried on the next run.",
    "Checks the invariants of a {noun} before it is stored.",
    "Moves a {noun} to the target status, or rejects the transition.",
    "Groups {noun}s by region, each group sorted by creation time.",
    "Runs {@code call}, retrying transient store failures with a linear backoff."
  };

  private static final String[] TEST_METHOD_ENDINGS = {
    "TotalsAreRoundedHalfEven", "IsRejectedWhenArchived", "KeepsPendingOnStoreFailure",
    "ListsSkipDeletedEntries", "GroupsByRegionInCreationOrder", "RetriesTransientFailures"
  };

  private static final String[] PYTHON_TESTS = {
    "test_report.py", "test_migrate_db.py", "test_load_fixtures.py", "test_latency_buckets.py",
    "test_export_csv.py"
  };

  private static final String[] PY_NAMES = {
    "p95_uses_nearest_rank", "buckets_cover_whole_range", "empty_input_gives_zero_report",
    "csv_export_quotes_commas"
  };

  private static final String[] MAVEN_PLUGINS = {
    "maven-enforcer-plugin:3.4.1:enforce (enforce-java) ", "maven-resources-plugin:3.3.1:resources (default-resources)",
    "maven-compiler-plugin:3.12.1:compile (default-compile)",
    "maven-resources-plugin:3.3.1:testResources (default-testResources)",
    "maven-compiler-plugin:3.12.1:testCompile (default-testCompile)", "maven-surefire-plugin:3.2.5:test (default-test)"
  };

  private static final String[] JUNIT_FRAMES = {
    "java.base/java.lang.reflect.Method.invoke(Method.java:580)",
    "org.junit.platform.commons.util.ReflectionUtils.invokeMethod(ReflectionUtils.java:728)",
    "org.junit.jupiter.engine.execution.MethodInvocation.proceed(MethodInvocation.java:60)",
    "org.junit.jupiter.engine.execution.InvocationInterceptorChain$ValidatingInvocation.proceed(InvocationInterceptorChain.java:131)",
    "org.junit.jupiter.engine.extension.TimeoutExtension.intercept(TimeoutExtension.java:156)",
    "org.junit.jupiter.engine.extension.TimeoutExtension.interceptTestableMethod(TimeoutExtension.java:147)",
    "org.junit.jupiter.engine.extension.TimeoutExtension.interceptTestMethod(TimeoutExtension.java:86)",
    "org.junit.jupiter.engine.execution.InterceptingExecutableInvoker$ReflectiveInterceptorCall.lambda$ofVoidMethod$0(InterceptingExecutableInvoker.java:103)",
    "org.junit.jupiter.engine.execution.InterceptingExecutableInvoker.lambda$invoke$0(InterceptingExecutableInvoker.java:93)",
    "org.junit.jupiter.engine.execution.InvocationInterceptorChain$InterceptedInvocation.proceed(InvocationInterceptorChain.java:106)",
    "org.junit.jupiter.engine.execution.InvocationInterceptorChain.proceed(InvocationInterceptorChain.java:64)",
    "org.junit.jupiter.engine.execution.InvocationInterceptorChain.chainAndInvoke(InvocationInterceptorChain.java:45)",
    "org.junit.jupiter.engine.execution.InvocationInterceptorChain.invoke(InvocationInterceptorChain.java:37)",
    "org.junit.jupiter.engine.execution.InterceptingExecutableInvoker.invoke(InterceptingExecutableInvoker.java:92)",
    "org.junit.jupiter.engine.execution.InterceptingExecutableInvoker.invoke(InterceptingExecutableInvoker.java:86)",
    "org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.lambda$invokeTestMethod$7(TestMethodTestDescriptor.java:218)",
    "org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)",
    "org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.invokeTestMethod(TestMethodTestDescriptor.java:214)",
    "org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.execute(TestMethodTestDescriptor.java:139)",
    "org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.execute(TestMethodTestDescriptor.java:69)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.lambda$executeRecursively$6(NodeTestTask.java:151)",
    "org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.lambda$executeRecursively$8(NodeTestTask.java:141)",
    "org.junit.platform.engine.support.hierarchical.Node.around(Node.java:137)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.lambda$executeRecursively$9(NodeTestTask.java:139)",
    "org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java:138)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.execute(NodeTestTask.java:95)",
    "java.base/java.util.ArrayList.forEach(ArrayList.java:1596)",
    "org.junit.platform.engine.support.hierarchical.SameThreadHierarchicalTestExecutorService.invokeAll(SameThreadHierarchicalTestExecutorService.java:41)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.lambda$executeRecursively$6(NodeTestTask.java:155)",
    "org.junit.platform.engine.support.hierarchical.HierarchicalTestExecutor.execute(HierarchicalTestExecutor.java:35)",
    "org.junit.platform.engine.support.hierarchical.HierarchicalTestEngine.execute(HierarchicalTestEngine.java:54)",
    "org.junit.platform.launcher.core.EngineExecutionOrchestrator.execute(EngineExecutionOrchestrator.java:198)",
    "org.junit.platform.launcher.core.DefaultLauncher.execute(DefaultLauncher.java:86)",
    "org.apache.maven.surefire.junitplatform.JUnitPlatformProvider.execute(JUnitPlatformProvider.java:184)",
    "org.apache.maven.surefire.booter.ForkedBooter.runSuitesInProcess(ForkedBooter.java:385)",
    "org.apache.maven.surefire.booter.ForkedBooter.execute(ForkedBooter.java:162)",
    "org.apache.maven.surefire.booter.ForkedBooter.run(ForkedBooter.java:507)",
    "org.apache.maven.surefire.booter.ForkedBooter.main(ForkedBooter.java:495)"
  };

  private static final String[] MAVEN_FRAMES = {
    "org.apache.maven.lifecycle.internal.MojoExecutor.doExecute2(MojoExecutor.java:333)",
    "org.apache.maven.lifecycle.internal.MojoExecutor.doExecute(MojoExecutor.java:316)",
    "org.apache.maven.lifecycle.internal.MojoExecutor.execute(MojoExecutor.java:212)",
    "org.apache.maven.lifecycle.internal.MojoExecutor.execute(MojoExecutor.java:174)",
    "org.apache.maven.lifecycle.internal.MojoExecutor.access$000(MojoExecutor.java:75)",
    "org.apache.maven.lifecycle.internal.MojoExecutor$1.run(MojoExecutor.java:162)",
    "org.apache.maven.plugin.DefaultMojosExecutionStrategy.execute(DefaultMojosExecutionStrategy.java:39)",
    "org.apache.maven.lifecycle.internal.MojoExecutor.execute(MojoExecutor.java:159)",
    "org.apache.maven.lifecycle.internal.LifecycleModuleBuilder.buildProject(LifecycleModuleBuilder.java:105)",
    "org.apache.maven.lifecycle.internal.builder.singlethreaded.SingleThreadedBuilder.build(SingleThreadedBuilder.java:73)",
    "org.apache.maven.lifecycle.internal.LifecycleStarter.execute(LifecycleStarter.java:118)",
    "org.apache.maven.DefaultMaven.doExecute(DefaultMaven.java:261)",
    "org.apache.maven.DefaultMaven.execute(DefaultMaven.java:173)",
    "org.apache.maven.cli.MavenCli.execute(MavenCli.java:1040)",
    "org.apache.maven.cli.MavenCli.doMain(MavenCli.java:290)",
    "org.apache.maven.cli.MavenCli.main(MavenCli.java:206)",
    "org.codehaus.plexus.classworlds.launcher.Launcher.launchEnhanced(Launcher.java:283)",
    "org.codehaus.plexus.classworlds.launcher.Launcher.main(Launcher.java:406)"
  };

  private static final String[] USER_ASKS = {
    "{Class}Test started failing after yesterday's merge. Can you find out why and fix it without touching the test?",
    "Please add input validation to {Class}.{method}: a blank id should give an empty result instead of a store call.",
    "Why does {Class} call {Other} twice per request? I see double the queries in the slow log.",
    "Refactor {Class}.{method} so it doesn't hold the pending map while it talks to the store.",
    "Can you check every place that uses {Class} and tell me whether any of them ignores the Optional it returns?",
    "The nightly job times out in {Class}. Look at the batch size handling and make it configurable.",
    "Run the tests for {Class} and fix whatever fails. Keep the diff small please.",
    "I think {method} has an off-by-one in its paging. Can you confirm with a test and fix it?",
    "We're renaming {noun} status ARCHIVED to CLOSED next sprint. How many files would that touch?",
    "Add a unit test for {Class}.{method} covering the retry path, then run it.",
    "tools/report.py gives a p95 that is slightly off compared to Grafana. Can you look into the pytest failure?",
    "Look at {path} and tell me whether the rounding is consistent with {Other}."
  };

  private static final String[] THINKING = {
    "Let me look at {Class} first.",
    "I'll start by reproducing the failure.",
    "First I'll check how {method} is used across the codebase.",
    "Let me read the current implementation before changing anything."
  };

  private static final String[] REPLY_OPENINGS = {
    "I found the cause: {Class}.{method} reads the pending map before it checks the status, so archived {noun}s slip through.",
    "The failure comes from {Other}, not {Class}: it rounds with HALF_UP while {Class} uses HALF_EVEN.",
    "Done. {Class}.{method} now returns early for a blank id, and the tests pass locally ({n} tests in {Class}Test).",
    "I checked every caller of {Class}: {n} call sites, and two of them call get() on the Optional without a check.",
    "The batch size was hard-coded to MAX_BATCH_SIZE; I moved it to the constructor with the old value as default."
  };

  private static final String[] REPLY_POINTS = {
    "`{Class}.{method}` now validates its argument before touching the store.",
    "The retry loop in `{Class}` uses RETRY_BACKOFF multiplied by the attempt number, as the javadoc says.",
    "`{Other}` had the same pattern; I left it alone since it is out of scope, but it deserves the same fix.",
    "I added a test `{method}ReturnsEmptyForUnknownId` to `{Class}Test` that fails without the change.",
    "No public signature changed, so callers in `api` and `billing` need no update.",
    "The store is only called once per {noun} now, which should halve the queries you saw in the slow log.",
    "The p95 computation used linear interpolation; the Grafana panel uses nearest rank, hence the 0.25 ms gap.",
    "I ran `mvn -q test -Dtest={Class}Test` and then the whole suite: everything passes except the flaky carrier test."
  };

  private static final String[] REPLY_CLOSINGS = {
    "Files touched: {path}. Let me know if you want the same change in {Other}.",
    "Next step, if you agree: apply the same validation to {Other} and add a test for it.",
    "I did not commit anything; the diff is in your working tree.",
    "One open question: should an archived {noun} count toward the totals in {Other}? The tests don't say."
  };
}
