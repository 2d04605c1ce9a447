package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, as a Prometheus server scrapes it: {@link
 * #parse} rejects, naming the line, anything a scraper would reject or that breaks the format's rules, and
 * gives back the samples to assert on.
 *
 * <p>Checked: every non-comment line is {@code name{label="value",...} value [timestamp]} with valid names,
 * escapes and numbers; every sample belongs to a family announced by one {@code # TYPE} and one {@code # HELP}
 * line placed before its samples; a family's samples are contiguous and carry the suffixes its type allows
 * ({@code _bucket}, {@code _count}, {@code _sum} for histograms; {@code _count}, {@code _sum} for summaries);
 * no sample appears twice; histogram buckets are cumulative and end with {@code le="+Inf"} equal to {@code
 * _count}.
 */
public final class PrometheusText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {
    /** Copies the labels. */
    public Sample {
      requireNonNull(name, "name");
      labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    }
  }

  /** A metric family: its {@code # TYPE}, {@code # HELP} and samples, in order. */
  public record Family(String name, String type, String help, List<Sample> samples) {
    /** Copies the samples. */
    public Family {
      samples = List.copyOf(samples);
    }
  }

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") ?(.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern VALUE =
      Pattern.compile("[+-]?(?:Inf|NaN|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
  private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]+");
  private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum");
  private static final Set<String> SUMMARY_SUFFIXES = Set.of("", "_count", "_sum");

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = Collections.unmodifiableMap(families);
  }

  /**
   * Parses and validates a scrape.
   *
   * @throws IllegalArgumentException naming the line and the rule it breaks
   */
  public static PrometheusText parse(String text) {
    requireNonNull(text, "text");
    return new Reader(text).read();
  }

  /** Every family by name, in the order they came. */
  public Map<String, Family> families() {
    return families;
  }

  /** Every sample, in order. */
  public List<Sample> samples() {
    List<Sample> all = new ArrayList<>();
    families.values().forEach(f -> all.addAll(f.samples()));
    return all;
  }

  /** The samples with this name whose labels include all of {@code labels}. */
  public List<Sample> samples(String name, Map<String, String> labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample s : samples()) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        found.add(s);
      }
    }
    return found;
  }

  /** The sum of the values of {@link #samples(String, Map)}; 0 when there are none. */
  public double sum(String name, Map<String, String> labels) {
    return samples(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /** The one sample with exactly these labels. */
  public double value(String name, Map<String, String> labels) {
    for (Sample s : samples()) {
      if (s.name().equals(name) && s.labels().equals(labels)) {
        return s.value();
      }
    }
    throw new IllegalArgumentException("no sample " + name + labels + " in the scrape");
  }

  /** Parses one scrape, line by line. */
  private static final class Reader {
    private final String[] lines;
    private final Map<String, String> helps = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private String current;
    private int lineNumber;

    Reader(String text) {
      if (!text.isEmpty() && !text.endsWith("\n")) {
        throw new IllegalArgumentException("the exposition must end with a line feed");
      }
      this.lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
    }

    PrometheusText read() {
      for (int i = 0; i < lines.length; i++) {
        lineNumber = i + 1;
        String line = lines[i];
        if (i == lines.length - 1 && line.isEmpty()) {
          break;
        }
        if (line.isBlank()) {
          continue;
        }
        if (line.startsWith("#")) {
          comment(line);
        } else {
          sample(line);
        }
      }
      Map<String, Family> families = new LinkedHashMap<>();
      for (Map.Entry<String, String> type : types.entrySet()) {
        String name = type.getKey();
        if (!helps.containsKey(name)) {
          throw new IllegalArgumentException("metric family " + name + " has # TYPE but no # HELP");
        }
        List<Sample> list = samples.getOrDefault(name, List.of());
        if ("histogram".equals(type.getValue())) {
          checkHistogram(name, list);
        }
        families.put(name, new Family(name, type.getValue(), helps.get(name), list));
      }
      return new PrometheusText(families);
    }

    private void comment(String line) {
      if (line.startsWith("# HELP ")) {
        Matcher m = HELP.matcher(line);
        if (!m.matches()) {
          fail("malformed # HELP line");
        }
        if (helps.put(m.group(1), m.group(2)) != null) {
          fail("second # HELP for " + m.group(1));
        }
        startFamily(m.group(1));
      } else if (line.startsWith("# TYPE ")) {
        Matcher m = TYPE.matcher(line);
        if (!m.matches()) {
          fail("malformed # TYPE line");
        }
        if (samples.containsKey(m.group(1))) {
          fail("# TYPE for " + m.group(1) + " after its samples");
        }
        if (types.put(m.group(1), m.group(2)) != null) {
          fail("second # TYPE for " + m.group(1));
        }
        startFamily(m.group(1));
      }
    }

    private void startFamily(String name) {
      if (!name.equals(current) && samples.containsKey(name)) {
        fail("metric family " + name + " is split");
      }
      current = name;
    }

    private void sample(String line) {
      int pos = 0;
      while (pos < line.length() && line.charAt(pos) != '{' && line.charAt(pos) != ' ') {
        pos++;
      }
      String name = line.substring(0, pos);
      if (!NAME.matcher(name).matches()) {
        fail("invalid metric name '" + name + "'");
      }
      Map<String, String> labels = new TreeMap<>();
      if (pos < line.length() && line.charAt(pos) == '{') {
        pos = labels(line, pos + 1, labels);
      }
      if (pos >= line.length() || line.charAt(pos) != ' ') {
        fail("expected a space and a value after the name and labels");
      }
      String[] rest = line.substring(pos + 1).split(" ", -1);
      if (rest.length < 1 || rest.length > 2 || !VALUE.matcher(rest[0]).matches()) {
        fail("expected 'value [timestamp]' after the labels, got '" + line.substring(pos + 1) + "'");
      }
      if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
        fail("invalid timestamp '" + rest[1] + "'");
      }
      String family = familyOf(name);
      if (!seen.add(name + labels)) {
        fail("duplicate sample " + name + labels);
      }
      samples.computeIfAbsent(family, f -> new ArrayList<>()).add(new Sample(name, labels, number(rest[0])));
    }

    /** The family a sample belongs to: the current one, which must have a # TYPE and allow the suffix. */
    private String familyOf(String name) {
      if (current == null || !types.containsKey(current) || !helps.containsKey(current)) {
        fail("sample " + name + " comes before the # HELP and # TYPE of its family");
      }
      String type = types.get(current);
      if (!name.startsWith(current)) {
        fail("sample " + name + " under the # TYPE of " + current);
      }
      String suffix = name.substring(current.length());
      boolean allowed = switch (type) {
        case "histogram" -> HISTOGRAM_SUFFIXES.contains(suffix);
        case "summary" -> SUMMARY_SUFFIXES.contains(suffix);
        default -> suffix.isEmpty();
      };
      if (!allowed) {
        fail("sample " + name + " does not fit its family " + current + " of type " + type);
      }
      return current;
    }

    private int labels(String line, int start, Map<String, String> labels) {
      int pos = start;
      while (true) {
        if (pos < line.length() && line.charAt(pos) == '}') {
          return pos + 1;
        }
        int eq = line.indexOf('=', pos);
        if (eq < 0) {
          fail("unterminated label set");
        }
        String label = line.substring(pos, eq);
        if (!LABEL_NAME.matcher(label).matches()) {
          fail("invalid label name '" + label + "'");
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          fail("label " + label + " has no quoted value");
        }
        StringBuilder value = new StringBuilder();
        pos = eq + 2;
        while (true) {
          if (pos >= line.length()) {
            fail("unterminated value of label " + label);
          }
          char c = line.charAt(pos++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (pos >= line.length()) {
              fail("dangling escape in label " + label);
            }
            char e = line.charAt(pos++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> fail("invalid escape \\" + e + " in label " + label);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          fail("label " + label + " appears twice");
        }
        if (pos < line.length() && line.charAt(pos) == ',') {
          pos++;
        } else if (pos >= line.length() || line.charAt(pos) != '}') {
          fail("expected ',' or '}' after label " + label);
        }
      }
    }

    private void checkHistogram(String name, List<Sample> list) {
      Map<Map<String, String>, List<Sample>> bucketsBySeries = new LinkedHashMap<>();
      Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
      for (Sample s : list) {
        if (s.name().equals(name + "_bucket")) {
          Map<String, String> series = new TreeMap<>(s.labels());
          if (series.remove("le") == null) {
            throw new IllegalArgumentException(s.name() + s.labels() + ": a bucket without 'le'");
          }
          bucketsBySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
        } else if (s.name().equals(name + "_count")) {
          counts.put(s.labels(), s.value());
        }
      }
      for (Map.Entry<Map<String, String>, List<Sample>> e : bucketsBySeries.entrySet()) {
        double previousBound = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (Sample bucket : e.getValue()) {
          double bound = number(bucket.labels().get("le"));
          if (bound <= previousBound || bucket.value() < previousCount) {
            throw new IllegalArgumentException(name + e.getKey() + ": buckets are not cumulative at le="
                + bucket.labels().get("le"));
          }
          previousBound = bound;
          previousCount = bucket.value();
        }
        Sample last = e.getValue().get(e.getValue().size() - 1);
        if (!"+Inf".equals(last.labels().get("le"))) {
          throw new IllegalArgumentException(name + e.getKey() + ": the last bucket is not le=\"+Inf\"");
        }
        Double count = counts.get(e.getKey());
        if (count == null || count != last.value()) {
          throw new IllegalArgumentException(name + e.getKey() + ": _count " + count
              + " differs from the +Inf bucket " + last.value());
        }
      }
    }

    private static double number(String text) {
      return switch (text) {
        case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(text);
      };
    }

    private void fail(String why) {
      throw new IllegalArgumentException("line " + lineNumber + ": " + why + ": " + lines[lineNumber - 1]);
    }
  }
}
