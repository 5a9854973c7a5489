package main

import (
	"fmt"
	"os"

	"github.com/wardwatch/wardwatch/fingerprint/oui"
	"github.com/wardwatch/wardwatch/sensor/model"
)

func main() {
	for _, a := range os.Args[1:] {
		m, err := model.ParseMAC(a + "000000"[:12-len(a)])
		if err != nil {
			fmt.Println(a, err)
			continue
		}
		v, ok := oui.Lookup(m)
		fmt.Printf("%s\t%q\t%v\n", a, v, ok)
	}
}
