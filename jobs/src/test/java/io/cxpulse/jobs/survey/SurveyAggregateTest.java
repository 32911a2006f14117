package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class SurveyAggregateTest {

  private final SurveyAggregate aggregate = new SurveyAggregate();

  @Test
  void countsEachResponseInItsTypesComponents() {
    SurveyAccumulator acc = aggregate.createAccumulator();
    acc = aggregate.add(response(SurveyType.CSAT, 5), acc);
    acc = aggregate.add(response(SurveyType.CSAT, 3), acc);
    acc = aggregate.add(response(SurveyType.NPS, 10), acc);
    acc = aggregate.add(response(SurveyType.NPS, 7), acc);
    acc = aggregate.add(response(SurveyType.NPS, 0), acc);
    acc = aggregate.add(response(SurveyType.CES, 2), acc);
    acc = aggregate.add(response(SurveyType.CES, 7), acc);

    SurveyAccumulator result = aggregate.getResult(acc);
    assertThat(result.csat()).isEqualTo(CsatComponents.of(1, 2));
    assertThat(result.nps()).isEqualTo(NpsComponents.of(1, 1, 1));
    assertThat(result.ces()).isEqualTo(new CesComponents().add(2).add(7));
    assertThat(result.responses()).isEqualTo(7);
  }

  @Test
  void mergeAddsComponents() {
    SurveyAccumulator a = aggregate.add(response(SurveyType.CSAT, 4), new SurveyAccumulator());
    SurveyAccumulator b = aggregate.add(response(SurveyType.CES, 1), new SurveyAccumulator());
    b = aggregate.add(response(SurveyType.NPS, 9), b);

    SurveyAccumulator merged = aggregate.merge(a, b);

    assertThat(merged.csat()).isEqualTo(CsatComponents.of(1, 1));
    assertThat(merged.nps()).isEqualTo(NpsComponents.of(1, 0, 0));
    assertThat(merged.ces().countOf(1)).isOne();
    assertThat(merged.responses()).isEqualTo(3);
    assertThat(b.responses()).as("other side unchanged").isEqualTo(2);
  }

  @Test
  void unknownTypeIsRejected() {
    assertThatThrownBy(
            () ->
                new SurveyAccumulator()
                    .add(TestEvents.survey().setSurveyType(SurveyType.UNKNOWN).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stateTypesArePojosNotKryo() {
    assertThat(TypeInformation.of(SurveyAccumulator.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(TypeInformation.of(SurveyWindowRow.class)).isInstanceOf(PojoTypeInfo.class);
  }

  private static DecodedEvent<SurveyResponse> response(SurveyType type, int score) {
    return new DecodedEvent<>(
        TestEvents.survey().setSurveyType(type).setScore(score).build(), null);
  }
}
