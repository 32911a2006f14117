package io.cxpulse.jobs.survey;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;

/** Keys survey responses by their window row's dimensions: (channel in lower case, segment). */
public final class ChannelSegmentKeySelector
    implements KeySelector<DecodedEvent<SurveyResponse>, Tuple2<String, String>> {

  private static final long serialVersionUID = 1L;

  /** The key's Flink type. */
  public static final TypeInformation<Tuple2<String, String>> KEY_TYPE =
      Types.TUPLE(Types.STRING, Types.STRING);

  @Override
  public Tuple2<String, String> getKey(DecodedEvent<SurveyResponse> value) {
    SurveyResponse response = value.getEvent();
    return Tuple2.of(Dimensions.channel(response.getChannel()), response.getSegment());
  }
}
