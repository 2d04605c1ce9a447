package io.kimi.api;

import io.kimi.services.JsonViews;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.kimi.core.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;

/** Request records as CSV (RFC 4180, header row), with the same columns as the JSON view. */
final class CsvExport {
    private final CsvMapper mapper = new CsvMapper();

    byte[] write(List<RequestRecord> records, JsonViews views) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        ObjectNode template = views.request(sample(records));
        for (Iterator<String> it = template.fieldNames(); it.hasNext(); ) {
            schema.addColumn(it.next());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var writer = mapper.writer(schema.build()).writeValues(out)) {
            for (RequestRecord r : records) {
                writer.write(views.request(r));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing CSV to memory failed", e);
        }
        return out.toByteArray();
    }

    private static RequestRecord sample(List<RequestRecord> records) {
        if (!records.isEmpty()) {
            return records.get(0);
        }
        return new RequestRecord("", "", java.time.Instant.EPOCH, "", "", "", false,
                io.kimi.core.RequestStatus.SUCCESS, 0, null, null, io.kimi.core.TokenUsage.ZERO, null, 0, 0, 0, "");
    }
}
