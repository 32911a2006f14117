package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.pipeline.RecordingStatement;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SurveyWindowTableTest {

  @Test
  void windowInsertNamesTheTableColumnsInBindOrder() {
    assertThat(SurveyWindowRow.TABLE.insertSql())
        .startsWith(
            "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
                + " csat_satisfied, nps_total, nps_promoters, nps_passives, nps_detractors,"
                + " ces_count, ces_sum, ces_sum_squares, ces_histogram, version)");
    assertThat(SurveyWindowRow.TABLE.insertSql().chars().filter(c -> c == '?')).hasSize(15);
  }

  @Test
  void bindsAWindowRow() throws Exception {
    Instant start = Instant.parse("2025-06-01T12:00:00Z");
    SurveyWindowRow row =
        SurveyWindowRow.of(
            start,
            start.plusSeconds(60),
            "mobile_app",
            "new",
            CsatComponents.of(3, 4),
            NpsComponents.of(5, 6, 7),
            new CesComponents().add(1).add(7).add(7),
            22);

    RecordingStatement recording = new RecordingStatement();
    SurveyWindowRow.TABLE.statement().accept(recording.statement(), row);
    Map<Integer, Object> bound = recording.parameters();

    assertThat(bound)
        .containsEntry(1, start)
        .containsEntry(2, start.plusSeconds(60))
        .containsEntry(3, "mobile_app")
        .containsEntry(4, "new")
        .containsEntry(5, 4L)
        .containsEntry(6, 3L)
        .containsEntry(7, 18L)
        .containsEntry(8, 5L)
        .containsEntry(9, 6L)
        .containsEntry(10, 7L)
        .containsEntry(11, 3L)
        .containsEntry(12, 15L)
        .containsEntry(13, 99L)
        .containsEntry(15, 22L)
        .hasSize(15);
    RecordingStatement.RecordedArray histogram = (RecordingStatement.RecordedArray) bound.get(14);
    assertThat(histogram.typeName()).isEqualTo("UInt64");
    assertThat(histogram.elements()).containsExactly(1L, 0L, 0L, 0L, 0L, 0L, 2L);
  }
}
