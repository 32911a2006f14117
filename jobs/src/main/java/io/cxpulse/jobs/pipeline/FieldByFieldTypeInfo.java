package io.cxpulse.jobs.pipeline;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The Flink type of a class that Flink should serialise field by field although it has no bean
 * getters and setters: the metric components of {@code io.cxpulse.metrics} (CSAT, NPS, CES,
 * abandonment, {@code LogHistogram}), which stay free of Flink and keep their small API.
 *
 * <p>Without it Flink finds no POJO in them and falls back to Kryo, whose bytes in a savepoint do
 * not survive any change of the class. Put on the field that holds such a class
 * ({@code @TypeInfo(FieldByFieldTypeInfo.class)}); Flink then uses its POJO serializer, which reads
 * and sets every non-static, non-transient field by reflection and creates instances with the
 * public no-argument constructor, exactly as for a POJO (the same {@link Types#POJO(Class, Map)}
 * that {@link DecodedEvent#typeInfo} uses).
 *
 * @param <T> the class
 */
public final class FieldByFieldTypeInfo<T> extends TypeInfoFactory<T> {

  @Override
  @SuppressWarnings("unchecked")
  public TypeInformation<T> createTypeInfo(
      Type type, Map<String, TypeInformation<?>> genericParameters) {
    if (!(type instanceof Class<?> c)) {
      throw new IllegalArgumentException("not a class: " + type);
    }
    try {
      if (!Modifier.isPublic(c.getConstructor().getModifiers())) {
        throw new NoSuchMethodException();
      }
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(c.getName() + " has no public no-argument constructor", e);
    }
    Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
    for (Field field : c.getDeclaredFields()) {
      int modifiers = field.getModifiers();
      if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers)) {
        fields.put(field.getName(), TypeInformation.of(field.getType()));
      }
    }
    return (TypeInformation<T>) Types.POJO(c, fields);
  }
}
