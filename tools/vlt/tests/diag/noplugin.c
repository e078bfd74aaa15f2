// expect: error: vlt needs the nvemu GCC plugin
// noplugin
#include <nvemu/vlt.h>
vlt int f(int a) { return a; }
