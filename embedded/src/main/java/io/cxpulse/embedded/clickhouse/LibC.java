package io.cxpulse.embedded.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** The two libc calls the engine needs around it: signal dispositions and the time zone. */
interface LibC extends Library {

  /** {@code sizeof(struct sigaction)} is 152 on x86_64 glibc; a larger buffer is harmless. */
  int SIGACTION_BUFFER_SIZE = 256;

  int sigaction(int signal, Pointer newAction, Pointer oldAction);

  int setenv(String name, String value, int overwrite);

  void tzset();
}
