package io.cxpulse.embedded.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * JNA binding of the C API of {@code libchdb.so} (chDB: the ClickHouse engine as a library).
 *
 * <p>{@code chdb_connect} returns a pointer to a connection handle; the query functions take the
 * handle itself, {@code chdb_close_conn} the pointer. Results are owned by the caller and must be
 * released with {@code chdb_destroy_query_result}.
 */
interface LibChdb extends Library {

  Pointer chdb_connect(int argc, String[] argv);

  /**
   * With 0, the engine installs no signal handlers of its own from the next connect on. It also
   * resets SIGABRT, SIGSEGV, SIGILL, SIGBUS, SIGSYS, SIGFPE, SIGTSTP and SIGTRAP to their defaults
   * (with {@code sigaction}, as every later connect does again): callers bracket it like a connect.
   */
  void chdb_set_signal_handlers_enabled(int enabled);

  void chdb_close_conn(Pointer connectionPointer);

  Pointer chdb_query_n(
      Pointer connection, byte[] query, long queryLength, byte[] format, long formatLength);

  Pointer chdb_query_with_params_n(
      Pointer connection,
      byte[] query,
      long queryLength,
      byte[] format,
      long formatLength,
      String[] paramNames,
      Pointer paramNameLengths,
      Pointer[] paramValues,
      long[] paramValueLengths,
      long paramCount);

  Pointer chdb_result_buffer(Pointer result);

  long chdb_result_length(Pointer result);

  double chdb_result_elapsed(Pointer result);

  /** Rows in the result (ClickHouse's {@code result_rows}). */
  long chdb_result_rows_read(Pointer result);

  /** Rows read from storage (ClickHouse's {@code read_rows}). */
  long chdb_result_storage_rows_read(Pointer result);

  long chdb_result_storage_bytes_read(Pointer result);

  long chdb_result_rows_written(Pointer result);

  long chdb_result_bytes_written(Pointer result);

  String chdb_result_error(Pointer result);

  void chdb_destroy_query_result(Pointer result);
}
