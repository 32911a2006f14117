package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Adds alerting to a metric job: its window rows, as {@link MetricRow}s, are routed to every rule
 * and series they count in, evaluated by {@link AlertFunction} keyed by rule and series, and the
 * alerts written to the topic, the table and the webhook of {@link Alerting#sinks()}.
 *
 * <p>Keyed by rule × series, not by row: a series of "all channels" sums rows from every channel,
 * so its rows must meet in one place. The stage sees a few rows per minute per series, never a
 * record per event, so that key space is no hot spot.
 */
public final class AlertStage {

  private AlertStage() {}

  /** How a job's window row reads as metric rows (e.g. a survey row as CSAT, NPS and CES). */
  @FunctionalInterface
  public interface MetricRowsOf<ROW> extends Serializable {
    List<MetricRow> metricRows(ROW row);
  }

  /**
   * Wires the stage onto a job's window rows and returns the alerts.
   *
   * @param rows every emission of every window row (all versions)
   * @param metricRows how a window row reads as metric rows
   * @param job the job's short name, e.g. {@code survey}: operator uids start with it, so the stage
   *     keeps its state across versions of the job and never clashes with another job's in one
   *     Flink job (the local mode)
   * @param row the length of the job's windows
   * @param retention how long after its end a row may still change (the job's allowed lateness)
   * @throws IllegalArgumentException if a rule's window is not a whole number of rows
   */
  public static <ROW> DataStream<Alert> apply(
      DataStream<ROW> rows,
      MetricRowsOf<ROW> metricRows,
      Alerting alerting,
      String job,
      Duration row,
      Duration retention) {
    SingleOutputStreamOperator<MetricRow> metrics =
        rows.flatMap(
                (FlatMapFunction<ROW, MetricRow>)
                    (windowRow, out) -> metricRows.metricRows(windowRow).forEach(out::collect),
                TypeInformation.of(MetricRow.class))
            .name(job + " metric rows for alerting")
            .uid(job + "-alert-metric-rows");
    SingleOutputStreamOperator<SeriesRow> routed =
        metrics
            .flatMap(new RouteToSeries(alerting.rules()), TypeInformation.of(SeriesRow.class))
            .name(job + " alert routing")
            .uid(job + "-alert-route");
    SingleOutputStreamOperator<Alert> alerts =
        routed
            .keyBy(SeriesRow::key, Types.STRING)
            .process(
                new AlertFunction(alerting.rules(), row, alerting.evaluationDelay(), retention),
                TypeInformation.of(Alert.class))
            .name(job + " alert evaluation")
            .uid(job + "-alert-evaluate");
    alerts
        .sinkTo(alerting.sinks().topic())
        .name(job + " alerts topic sink")
        .uid(job + "-alert-topic");
    alerts
        .sinkTo(alerting.sinks().table())
        .name(job + " alerts table sink")
        .uid(job + "-alert-table");
    alerts
        .sinkTo(alerting.sinks().webhook())
        .name(job + " alerts webhook sink")
        .uid(job + "-alert-webhook");
    alerts
        .getSideOutput(AlertFunction.EVALUATION_RECORDS)
        .sinkTo(alerting.sinks().evaluations())
        .name(job + " rule evaluations sink")
        .uid(job + "-alert-evaluations");
    return alerts;
  }

  /** Emits a row once for every rule of its metric whose scope it counts in. */
  static final class RouteToSeries implements FlatMapFunction<MetricRow, SeriesRow> {

    private static final long serialVersionUID = 1L;

    private final AlertRules rules;

    RouteToSeries(AlertRules rules) {
      this.rules = rules;
    }

    @Override
    public void flatMap(MetricRow row, Collector<SeriesRow> out) {
      List<AlertRule> watching = rules.forMetric(row.getMetric());
      for (AlertRule rule : watching) {
        Optional<AlertScope> series = rule.scope().seriesFor(row.getChannel(), row.getSegment());
        series.ifPresent(s -> out.collect(SeriesRow.of(rule.id(), s, row)));
      }
    }
  }
}
