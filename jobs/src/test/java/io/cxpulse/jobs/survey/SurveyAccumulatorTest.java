package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class SurveyAccumulatorTest {

  @Test
  void countsEachResponseInItsTypesComponents() {
    SurveyAccumulator result =
        new SurveyAccumulator()
            .add(response(SurveyType.CSAT, 5))
            .add(response(SurveyType.CSAT, 3))
            .add(response(SurveyType.NPS, 10))
            .add(response(SurveyType.NPS, 7))
            .add(response(SurveyType.NPS, 0))
            .add(response(SurveyType.CES, 2))
            .add(response(SurveyType.CES, 7));

    assertThat(result.csat()).isEqualTo(CsatComponents.of(1, 2));
    assertThat(result.nps()).isEqualTo(NpsComponents.of(1, 1, 1));
    assertThat(result.ces()).isEqualTo(new CesComponents().add(2).add(7));
    assertThat(result.records()).isEqualTo(7);
  }

  @Test
  void mergeAddsComponents() {
    SurveyAccumulator a = new SurveyAccumulator().add(response(SurveyType.CSAT, 4));
    SurveyAccumulator b =
        new SurveyAccumulator().add(response(SurveyType.CES, 1)).add(response(SurveyType.NPS, 9));

    SurveyAccumulator merged = a.merge(b);

    assertThat(merged.csat()).isEqualTo(CsatComponents.of(1, 1));
    assertThat(merged.nps()).isEqualTo(NpsComponents.of(1, 0, 0));
    assertThat(merged.ces().countOf(1)).isOne();
    assertThat(merged.records()).isEqualTo(3);
    assertThat(b.records()).as("other side unchanged").isEqualTo(2);
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

  private static SurveyResponse response(SurveyType type, int score) {
    return TestEvents.survey().setSurveyType(type).setScore(score).build();
  }
}
